package org.looptimer.core;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** {@link TimerHeap#close()}: everything stops, nothing runs after, new work is rejected. */
class CloseTest extends ManualHeapFixture {

    private static void assertRejectedAsClosed(Executable call) {
        RejectedExecutionException e = assertThrows(RejectedExecutionException.class, call);
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }

    @Test
    void closeStopsEveryKindOfTimerAndNothingRunsAfter() {
        TimerHandle oneShot = heap.schedule(rec.task("oneShot"), 1, MILLISECONDS);
        TimerHandle due = heap.schedule(rec.task("due"), 0, MILLISECONDS);
        TimerHandle ticker = heap.scheduleTicker(rec.task("ticker"), 1, MILLISECONDS);
        TimerHandle lazy = heap.schedule(rec.task("lazy"), 1, MILLISECONDS);
        lazy.reset(5, MILLISECONDS);
        TimerHandle foreignStopped = heap.schedule(rec.task("foreignStopped"), 1, MILLISECONDS);
        Foreign.run(foreignStopped::stop);
        TimerHandle inInbox = Foreign.call(() -> heap.schedule(rec.task("inInbox"), 1, MILLISECONDS));

        heap.close();

        assertTrue(heap.isClosed());
        for (TimerHandle t : List.of(oneShot, due, ticker, lazy, foreignStopped, inInbox)) {
            assertFalse(t.isPending(), t.toString());
            assertFalse(t.stop(), t.toString());
        }
        assertEquals(0, runAt(100));
        assertEquals(List.of(), rec.runs());
        assertEquals(Long.MAX_VALUE, heap.nextDeadlineNanos());
        TimerStats stats = heap.stats();
        assertEquals(0, stats.pendingTimers());
        assertEquals(0, stats.heapEntries());
        assertEquals(0, stats.deletedEntries());
    }

    @Test
    void afterCloseEveryArmingIsRejected() {
        TimerHandle fired = heap.schedule(rec.task("t"), 0, MILLISECONDS);
        TimerHandle pending = heap.schedule(rec.task("t"), 10, MILLISECONDS);
        heap.runDue(clock.nanoTime());
        heap.close();

        assertRejectedAsClosed(() -> heap.schedule(rec.task("x"), 1, MILLISECONDS));
        assertRejectedAsClosed(() -> heap.scheduleTicker(rec.task("x"), 1, MILLISECONDS));
        assertRejectedAsClosed(() -> fired.reset(1, MILLISECONDS));
        assertRejectedAsClosed(() -> pending.reset(1, MILLISECONDS));
        assertRejectedAsClosed(() -> Foreign.run(() -> heap.schedule(rec.task("x"), 1, MILLISECONDS)));
        assertRejectedAsClosed(() -> Foreign.run(() -> heap.scheduleTicker(rec.task("x"), 1, MILLISECONDS)));
        assertRejectedAsClosed(() -> Foreign.run(() -> pending.reset(1, MILLISECONDS)));
        assertEquals(0, heap.stats().pendingTimers());
        assertEquals(0, runAt(100));
    }

    @Test
    void closeIsIdempotent() {
        heap.schedule(rec.task("t"), 1, MILLISECONDS);
        heap.close();
        heap.close();
        assertTrue(heap.isClosed());
        assertEquals(0, heap.stats().pendingTimers());
    }

    @Test
    void closeFromACallbackEndsThePass() {
        heap.schedule(rec.task("first"), 1, MILLISECONDS);
        heap.schedule(heap::close, 1, MILLISECONDS);
        heap.schedule(rec.task("sameDeadline"), 1, MILLISECONDS);
        heap.scheduleTicker(rec.task("ticker"), 1, MILLISECONDS);
        assertEquals(2, runAt(1));
        assertEquals(List.of("first"), rec.runs());
        assertTrue(heap.isClosed());
        assertEquals(0, runAt(2));
    }

    @Test
    void closeOnAForeignThreadIsRefused() {
        heap.schedule(rec.task("t"), 1, MILLISECONDS);
        assertThrows(IllegalStateException.class, () -> Foreign.run(heap::close));
        assertFalse(heap.isClosed());
        assertEquals(1, runAt(1));
    }
}
