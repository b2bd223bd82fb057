package org.looptimer.core;

import static java.util.concurrent.TimeUnit.HOURS;
import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Timers due seconds to hours out, which wait in the far wheel until they come near: what a user
 * sees must be what the heap alone gave, to the nanosecond.
 */
class FarDeadlineTest extends ManualHeapFixture {

    @Test
    void equalTimeoutsArmedOneAfterAnotherFireInOrderEachAtItsOwnDeadline() {
        for (int i = 0; i < 2_000; i++) {
            heap.schedule(rec.task("t" + i), 30, SECONDS); // a request timeout per millisecond
            clock.advance(1, MILLISECONDS);
        }
        runAt(30_000 - 1); // the first is due at 30 s: nothing yet
        assertEquals(List.of(), rec.take());

        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            assertEquals(1, runAt(30_000 + i), "exactly one due at " + (30_000 + i) + " ms");
            expected.add("t" + i);
        }
        assertEquals(expected, rec.runs());
    }

    @Test
    void hourLongTimeoutsWaitInTheOuterWheelAndFireInOrderAtTheirExactDeadlines() {
        for (int i = 0; i < 1_000; i++) {
            heap.schedule(rec.task("t" + i), 90, TimeUnit.MINUTES); // an idle timeout per 10 ms
            clock.advance(10, MILLISECONDS);
        }
        long first = 90 * 60_000L;
        for (long t = 10_000; t < first; t += 61_000) {
            runAt(t); // a pass a minute: the timers move toward the heap, none fires early
        }
        assertEquals(List.of(), rec.take());
        assertEquals(at(first), heap.nextDeadlineNanos());

        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            assertEquals(0, runAt(first + 10L * i - 1), "nothing due a millisecond early");
            assertEquals(1, runAt(first + 10L * i), "exactly one due at " + (first + 10L * i) + " ms");
            expected.add("t" + i);
        }
        assertEquals(expected, rec.runs());
    }

    @Test
    void neverEarlyAcrossABucketBoundary() {
        long bucket = 1L << FarWheel.DEFAULT_SHIFT;
        long deadline = 3 * bucket - 1; // the last nanosecond of a bucket, relative to the origin
        heap.scheduleAt(rec.task("edge"), ORIGIN + deadline);
        heap.scheduleAt(rec.task("next"), ORIGIN + deadline + 1); // the first of the next bucket

        clock.set(ORIGIN + deadline - 1);
        assertEquals(0, heap.runDue(clock.nanoTime()));
        assertEquals(ORIGIN + deadline, heap.nextDeadlineNanos(), "the exact deadline, not the bucket's");
        clock.set(ORIGIN + deadline);
        assertEquals(1, heap.runDue(clock.nanoTime()));
        clock.set(ORIGIN + deadline + 1);
        assertEquals(1, heap.runDue(clock.nanoTime()));
        assertEquals(List.of("edge", "next"), rec.runs());
    }

    @Test
    void stopsAndResetsOfTimersWaitingInTheWheel() {
        TimerHandle stoppedByOwner = heap.schedule(rec.task("ownerStop"), 60, SECONDS);
        TimerHandle stoppedByOther = heap.schedule(rec.task("foreignStop"), 60, SECONDS);
        TimerHandle later = heap.schedule(rec.task("later"), 60, SECONDS);
        TimerHandle earlier = heap.schedule(rec.task("earlier"), 60, SECONDS);
        TimerHandle earlierByOther = heap.schedule(rec.task("earlierByOther"), 60, SECONDS);
        heap.schedule(rec.task("kept"), 60, SECONDS);

        assertTrue(stoppedByOwner.stop());
        assertTrue(Foreign.call(stoppedByOther::stop));
        assertTrue(later.reset(600, SECONDS)); // lazy: the entry stays in its bucket
        assertTrue(earlier.reset(20, SECONDS));
        assertTrue(Foreign.call(() -> earlierByOther.reset(40, SECONDS)));

        runAt(20_000);
        assertEquals(List.of("earlier"), rec.take());
        runAt(40_000);
        assertEquals(List.of("earlierByOther"), rec.take());
        runAt(60_000);
        assertEquals(List.of("kept"), rec.take());
        assertTrue(later.isPending());
        assertEquals(at(600_000), later.deadlineNanos());
        assertEquals(at(600_000), heap.nextDeadlineNanos());
        runAt(600_000 - 1);
        assertEquals(List.of(), rec.take());
        runAt(600_000);
        assertEquals(List.of("later"), rec.take());
        assertEquals(0, heap.stats().pendingTimers());
        assertEquals(0, heap.stats().deletedEntries());
        assertEquals(0, heap.stats().heapEntries());
    }

    @Test
    void aSweepDropsStoppedTimersFromTheWheelAndTheRestStillFire() {
        List<TimerHandle> handles = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            handles.add(heap.schedule(rec.task("t" + i), 100 + i, SECONDS));
        }
        Foreign.run(() -> handles.subList(0, 600).forEach(TimerHandle::stop));
        heap.runDue(clock.nanoTime()); // a quarter is deleted: the pass sweeps

        TimerStats s = heap.stats();
        assertEquals(400, s.pendingTimers());
        assertEquals(0, s.deletedEntries(), "swept");
        assertEquals(400, s.heapEntries());
        assertTrue(s.heapCapacity() <= 2 * 400 + 2 * DeadlineQueue.MIN_CAPACITY, s.toString());

        runAt(2_000_000);
        assertEquals(400, rec.runs().size());
        assertEquals("t600", rec.runs().get(0));
    }

    @Test
    void closeHandsOverTheTasksOfTimersInTheWheel() {
        heap.schedule(rec.task("near"), 10, MILLISECONDS);
        heap.schedule(rec.task("far"), 30, SECONDS);
        heap.schedule(rec.task("beyondTheWheel"), 5, HOURS);
        TimerHandle stopped = heap.schedule(rec.task("stopped"), 30, SECONDS);
        Foreign.run(stopped::stop);

        List<Runnable> handedOver = new ArrayList<>();
        heap.close(handedOver::add);
        assertEquals(3, handedOver.size());
        handedOver.forEach(Runnable::run);
        assertEquals(3, rec.runs().size());
        assertFalse(rec.runs().contains("stopped"));
        assertEquals(0, heap.stats().pendingTimers());
        assertEquals(0, heap.stats().deletedEntries());
    }
}
