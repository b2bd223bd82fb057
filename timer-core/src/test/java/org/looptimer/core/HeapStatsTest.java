package org.looptimer.core;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link TimerStats}: counts users rely on, and memory that follows the live count. */
class HeapStatsTest extends ManualHeapFixture {

    @Test
    void countersFollowArmingRunningAndStopping() {
        TimerHandle a = heap.schedule(rec.task("a"), 1, MILLISECONDS);
        heap.schedule(rec.task("b"), 2, MILLISECONDS);
        heap.scheduleTicker(rec.task("T"), 1, MILLISECONDS);
        Foreign.run(() -> heap.schedule(rec.task("f"), 1, MILLISECONDS));
        assertEquals(4, heap.stats().pendingTimers());
        assertEquals(3, heap.stats().heapEntries(), "the foreign one is still in the inbox");

        a.stop();
        assertEquals(3, heap.stats().pendingTimers());
        runAt(1);
        TimerStats s = heap.stats();
        assertEquals(2, s.pendingTimers(), "b and the ticker");
        assertEquals(2, s.timersFired());
        assertEquals(0, s.callbackFailures());
        assertEquals(2, s.heapEntries());
    }

    @Test
    void aForeignTimerStoppedBeforeTheDrainIsNeverCountedAndLeavesNothing() {
        TimerHandle t = Foreign.call(() -> heap.schedule(rec.task("t"), 5, MILLISECONDS));
        assertEquals(1, heap.stats().pendingTimers(), "pending while still in the inbox");
        assertTrue(Foreign.call(t::stop));
        TimerStats s = heap.stats();
        assertEquals(0, s.pendingTimers());
        assertEquals(0, s.deletedEntries(), "nothing to sweep: it never had an entry");
        assertEquals(1, s.inboxDepth());

        heap.beforePoll();
        s = heap.stats();
        assertEquals(0, s.pendingTimers());
        assertEquals(0, s.deletedEntries());
        assertEquals(0, s.heapEntries());
        assertEquals(0, s.inboxDepth());
        assertEquals(0, runAt(10));
    }

    @Test
    void aForeignTimerReArmedBeforeTheDrainIsCountedOnceWhoeverReArmsIt() {
        TimerHandle byForeign = Foreign.call(() -> heap.schedule(rec.task("f"), 5, MILLISECONDS));
        assertTrue(Foreign.call(byForeign::stop));
        assertFalse(Foreign.call(() -> byForeign.reset(6, MILLISECONDS)), "it was stopped");

        TimerHandle byOwner = Foreign.call(() -> heap.schedule(rec.task("o"), 5, MILLISECONDS));
        assertTrue(byOwner.stop());
        assertFalse(byOwner.reset(7, MILLISECONDS));
        assertEquals(2, heap.stats().pendingTimers());
        assertEquals(0, heap.stats().deletedEntries());
        assertEquals(1, heap.stats().heapEntries(), "the owner placed its own arming at once");

        heap.beforePoll();
        TimerStats s = heap.stats();
        assertEquals(2, s.pendingTimers());
        assertEquals(0, s.deletedEntries());
        assertEquals(2, s.heapEntries());
        assertEquals(2, runAt(7));
        assertEquals(List.of("f", "o"), rec.runs());
        assertEquals(0, heap.stats().pendingTimers());
    }

    @Test
    void aLimitedHeapCountsAForeignTimerAtOnce() {
        TimerHeap limited = newHeap(TimerHeap.builder().maxTimers(2));
        TimerHandle t = Foreign.call(() -> limited.schedule(rec.task("t"), 5, MILLISECONDS));
        assertEquals(1, limited.stats().pendingTimers(), "the limit needs an exact count before the drain");
        assertTrue(Foreign.call(t::stop));
        assertEquals(0, limited.stats().pendingTimers());
        assertEquals(1, limited.stats().deletedEntries());
        limited.beforePoll();
        assertEquals(0, limited.stats().deletedEntries());
    }

    @Test
    void closeLeavesNothingCountedForForeignTimersStillInTheInbox() {
        heap.schedule(rec.task("owned"), 5, MILLISECONDS);
        Foreign.run(() -> heap.schedule(rec.task("armed"), 5, MILLISECONDS));
        TimerHandle stopped = Foreign.call(() -> heap.schedule(rec.task("stopped"), 5, MILLISECONDS));
        Foreign.run(stopped::stop);
        heap.close();
        TimerStats s = heap.stats();
        assertEquals(0, s.pendingTimers());
        assertEquals(0, s.deletedEntries());
    }

    @Test
    void isIdleTakesInWhatOtherThreadsHandedOverBeforeItAnswers() {
        assertTrue(heap.isIdle());
        TimerHandle t = Foreign.call(() -> heap.schedule(rec.task("t"), 5, MILLISECONDS));
        assertFalse(heap.isIdle(), "a timer armed from another thread is pending while in the inbox");
        assertEquals(1, heap.stats().heapEntries(), "and it was taken in");
        Foreign.run(t::stop);
        assertTrue(heap.isIdle(), "a stopped one is not");
        TimerHandle cancelledEarly = Foreign.call(() -> heap.schedule(rec.task("c"), 5, MILLISECONDS));
        Foreign.run(cancelledEarly::stop);
        assertTrue(heap.isIdle(), "nor is one stopped before the owner took it in");
        assertEquals(0, heap.stats().inboxDepth());
    }

    @Test
    void foreignStopLeavesADeletedEntryUntilItSurfaces() {
        TimerHandle a = heap.schedule(rec.task("a"), 10, MILLISECONDS);
        for (int i = 0; i < 10; i++) {
            heap.schedule(rec.task("keep"), 20, MILLISECONDS);
        }
        Foreign.run(a::stop);
        TimerStats s = heap.stats();
        assertEquals(10, s.pendingTimers());
        assertEquals(1, s.deletedEntries());
        assertEquals(11, s.heapEntries());

        runAt(10);
        s = heap.stats();
        assertEquals(0, s.deletedEntries());
        assertEquals(10, s.heapEntries());
        assertEquals(0, s.timersFired());
    }

    @Test
    void capacityShrinksAfterASpikeIsStoppedFromAnotherThread() {
        List<TimerHandle> spike = scheduleMany(100_000);
        assertTrue(heap.stats().heapCapacity() >= 100_000);

        Foreign.run(() -> spike.forEach(TimerHandle::stop));
        assertEquals(100_000, heap.stats().deletedEntries());
        heap.runDue(clock.nanoTime());

        TimerStats s = heap.stats();
        assertEquals(0, s.pendingTimers());
        assertEquals(0, s.deletedEntries());
        assertEquals(0, s.heapEntries());
        // The spike's 50k slots are given back; what stays is the heap's minimum and a few small
        // spare wheel buckets kept for reuse.
        assertTrue(s.heapCapacity() <= 64, s.toString());
    }

    @Test
    void capacityIsAtMostTwiceTheLiveCountAfterASweep() {
        List<TimerHandle> spike = scheduleMany(100_000);
        List<TimerHandle> stopped = spike.subList(0, 60_000); // a sweep: > a quarter deleted
        Foreign.run(() -> stopped.forEach(TimerHandle::stop));
        heap.runDue(clock.nanoTime());

        TimerStats s = heap.stats();
        assertEquals(40_000, s.pendingTimers());
        assertEquals(0, s.deletedEntries(), "swept");
        assertEquals(40_000, s.heapEntries());
        // Twice the live count, and the few slots of an empty nursery.
        assertTrue(
                s.heapCapacity() <= 2 * s.pendingTimers() + DeadlineQueue.MIN_CAPACITY,
                "memory follows the live count, not the peak: " + s);
    }

    @Test
    void ownerStopsRemoveEntriesAtOnceAndCapacityFollows() {
        List<TimerHandle> spike = scheduleMany(50_000);
        spike.forEach(TimerHandle::stop);
        heap.runDue(clock.nanoTime());
        TimerStats s = heap.stats();
        assertEquals(0, s.heapEntries());
        assertEquals(0, s.deletedEntries());
        // The spike's 50k slots are given back; what stays is the heap's minimum and a few small
        // spare wheel buckets kept for reuse.
        assertTrue(s.heapCapacity() <= 64, s.toString());
    }

    private List<TimerHandle> scheduleMany(int n) {
        List<TimerHandle> handles = new ArrayList<>(n);
        Runnable noop = () -> {};
        for (int i = 0; i < n; i++) {
            handles.add(heap.schedule(noop, 1_000 + i % 1_000, MILLISECONDS));
        }
        return handles;
    }
}
