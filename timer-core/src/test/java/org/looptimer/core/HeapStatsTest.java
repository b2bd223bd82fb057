package org.looptimer.core;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
