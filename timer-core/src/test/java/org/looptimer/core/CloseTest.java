package org.looptimer.core;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
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
    void closeGivesBackTheRoomOfTimersArmedSinceTheLastPass() {
        for (int i = 0; i < 3_000; i++) {
            heap.schedule(rec.task("t"), 1 + i % 600, SECONDS); // no pass yet: all in the nursery
        }
        heap.close();
        TimerStats s = heap.stats();
        assertEquals(0, s.heapEntries());
        assertTrue(s.heapCapacity() <= 2 * DeadlineQueue.MIN_CAPACITY, "the arrays were let go: " + s);
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

    /**
     * A foreign schedule or re-arm that passed the closed check and loses the race with close()
     * is rejected and leaves nothing counted as pending. The owner check, which the heap calls
     * right after its closed check, holds the foreign thread while the owner closes.
     */
    @Test
    void foreignArmingThatLosesTheRaceWithCloseIsRejectedAndNotCounted() throws Exception {
        Thread owner = Thread.currentThread();
        AtomicBoolean holdNext = new AtomicBoolean();
        CountDownLatch held = new CountDownLatch(2);
        CountDownLatch release = new CountDownLatch(1);
        TimerHeap h = newHeap(TimerHeap.builder().ownerCheck(() -> {
            if (Thread.currentThread() == owner) {
                return true;
            }
            if (holdNext.get()) {
                held.countDown();
                awaitQuietly(release);
            }
            return false;
        }));
        TimerHandle pending = h.schedule(rec.task("pending"), 10, MILLISECONDS);
        holdNext.set(true);
        AtomicReference<Throwable> scheduleFailure = new AtomicReference<>();
        AtomicReference<Throwable> resetFailure = new AtomicReference<>();
        Thread scheduler = new Thread(() -> {
            try {
                h.schedule(rec.task("late"), 1, MILLISECONDS);
            } catch (Throwable t) {
                scheduleFailure.set(t);
            }
        });
        Thread resetter = new Thread(() -> {
            try {
                pending.reset(20, MILLISECONDS);
            } catch (Throwable t) {
                resetFailure.set(t);
            }
        });
        scheduler.start();
        resetter.start();
        assertTrue(held.await(10, SECONDS), "both foreign calls reached the owner check");
        h.close();
        holdNext.set(false);
        release.countDown();
        scheduler.join(10_000);
        resetter.join(10_000);

        assertInstanceOf(RejectedExecutionException.class, scheduleFailure.get());
        assertInstanceOf(RejectedExecutionException.class, resetFailure.get());
        assertFalse(pending.isPending());
        assertEquals(0, h.stats().pendingTimers(), "a rejected arming is not pending: " + h.stats());
        assertEquals(0, h.runDue(at(100)));
        assertEquals(List.of(), rec.runs());
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void closeOnAForeignThreadIsRefused() {
        heap.schedule(rec.task("t"), 1, MILLISECONDS);
        assertThrows(IllegalStateException.class, () -> Foreign.run(heap::close));
        assertFalse(heap.isClosed());
        assertEquals(1, runAt(1));
    }
}
