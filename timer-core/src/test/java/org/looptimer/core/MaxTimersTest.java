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

/** {@code maxTimers}: a full heap rejects new armings with a reason and keeps what it has. */
class MaxTimersTest extends ManualHeapFixture {

    private final TimerHeap limited = newHeap(TimerHeap.builder().maxTimers(3));

    private static void assertRejectedAsFull(Executable call) {
        RejectedExecutionException e = assertThrows(RejectedExecutionException.class, call);
        assertTrue(e.getMessage().contains("maxTimers=3, pending=3"), e.getMessage());
    }

    @Test
    void withSitesRecordedTheMessageNamesTheTopSite() {
        TimerHeap recorded = newHeap(TimerHeap.builder().maxTimers(2).leakDetection(LeakDetection.ALL));
        recorded.schedule(rec.task("a"), 1, MILLISECONDS);
        recorded.scheduleTicker(rec.task("b"), 1, MILLISECONDS);
        RejectedExecutionException e =
                assertThrows(RejectedExecutionException.class, () -> recorded.schedule(rec.task("x"), 1, MILLISECONDS));
        // Tests live in the library's package, so the site is the first frame outside it: JUnit's.
        assertTrue(e.getMessage().contains("maxTimers=2, pending=2"), e.getMessage());
        assertTrue(e.getMessage().contains("most pending timers were created at "), e.getMessage());
        assertTrue(e.getMessage().contains("(2 recorded)"), e.getMessage());
    }

    @Test
    void schedulingPastTheLimitIsRejectedAndTheOthersStillRun() {
        limited.schedule(rec.task("a"), 1, MILLISECONDS);
        limited.schedule(rec.task("b"), 2, MILLISECONDS);
        limited.scheduleTicker(rec.task("T"), 3, MILLISECONDS);

        assertRejectedAsFull(() -> limited.schedule(rec.task("x"), 1, MILLISECONDS));
        assertRejectedAsFull(() -> limited.scheduleTicker(rec.task("y"), 1, MILLISECONDS));
        assertRejectedAsFull(() -> Foreign.run(() -> limited.schedule(rec.task("z"), 1, MILLISECONDS)));
        assertEquals(3, limited.stats().pendingTimers());

        limited.runDue(at(3));
        assertEquals(List.of("a", "b", "T"), rec.take());
        assertEquals(1, limited.stats().pendingTimers(), "the ticker still holds its slot");
        limited.schedule(rec.task("c"), 1, MILLISECONDS);
        limited.schedule(rec.task("d"), 1, MILLISECONDS);
        assertRejectedAsFull(() -> limited.schedule(rec.task("x"), 1, MILLISECONDS));
    }

    @Test
    void stoppingATimerFreesItsSlot() {
        TimerHandle a = limited.schedule(rec.task("a"), 5, MILLISECONDS);
        TimerHandle b = limited.schedule(rec.task("b"), 5, MILLISECONDS);
        limited.schedule(rec.task("c"), 5, MILLISECONDS);

        assertTrue(a.stop());
        limited.schedule(rec.task("d"), 5, MILLISECONDS);
        assertTrue(Foreign.call(b::stop));
        Foreign.run(() -> limited.schedule(rec.task("e"), 5, MILLISECONDS));
        assertRejectedAsFull(() -> limited.schedule(rec.task("x"), 5, MILLISECONDS));

        limited.runDue(at(5));
        assertEquals(List.of("c", "d", "e"), rec.runs());
    }

    @Test
    void reArmingAFiredTimerNeedsASlotButMovingAPendingOneDoesNot() {
        TimerHandle a = limited.schedule(rec.task("a"), 1, MILLISECONDS);
        limited.runDue(at(1));
        TimerHandle b = limited.schedule(rec.task("b"), 5, MILLISECONDS);
        limited.schedule(rec.task("c"), 5, MILLISECONDS);
        limited.schedule(rec.task("d"), 5, MILLISECONDS);

        assertRejectedAsFull(() -> a.reset(1, MILLISECONDS));
        assertRejectedAsFull(() -> Foreign.run(() -> a.reset(1, MILLISECONDS)));
        assertTrue(b.reset(10, MILLISECONDS), "a pending timer keeps its slot");
        assertTrue(Foreign.call(() -> b.reset(7, MILLISECONDS)));
        assertEquals(3, limited.stats().pendingTimers());
    }

    @Test
    void aTickerResetRejectedAsFullKeepsItsPeriod() {
        TimerHandle ticker = limited.scheduleTicker(rec.task("tick"), 10, MILLISECONDS);
        ticker.stop();
        limited.schedule(rec.task("a"), 100, MILLISECONDS);
        limited.schedule(rec.task("b"), 100, MILLISECONDS);
        limited.schedule(rec.task("c"), 100, MILLISECONDS);
        assertRejectedAsFull(() -> ticker.reset(3, MILLISECONDS));
        assertRejectedAsFull(() -> Foreign.run(() -> ticker.reset(3, MILLISECONDS)));
        assertEquals(3, limited.stats().pendingTimers());

        limited.runDue(at(100));
        assertFalse(ticker.resetAt(at(110)), "stopped: re-armed from idle");
        limited.runDue(at(110));
        assertEquals(at(120), ticker.deadlineNanos(), "still 10 ms, not the rejected 3 ms");
    }
}
