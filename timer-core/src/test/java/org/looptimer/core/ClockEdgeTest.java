package org.looptimer.core;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.NANOSECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Clock edges with {@link ManualClock}: negative readings, the top of the range, odd delays. */
class ClockEdgeTest {

    private final Recorder rec = new Recorder();

    @Test
    void negativeClockReadingsWorkLikeAnyOther() {
        ManualClock clock = new ManualClock(-5_000_000_000L);
        TimerHeap heap = TimerHeap.builder().clock(clock).build();
        heap.schedule(rec.task("b"), 6, SECONDS);
        heap.schedule(rec.task("a"), 2, SECONDS);
        assertEquals(-3_000_000_000L, heap.nextDeadlineNanos());
        clock.set(-3_000_000_001L);
        assertEquals(0, heap.runDue(clock.nanoTime()), "not one nanosecond early below zero");
        clock.set(1_000_000_000L);
        assertEquals(2, heap.runDue(clock.nanoTime()));
        assertEquals(List.of("a", "b"), rec.take());
    }

    @Test
    void deadlinesNearLongMaxValueAreFarButOrdered() {
        ManualClock clock = new ManualClock(Long.MAX_VALUE - 10_000);
        TimerHeap heap = TimerHeap.builder().clock(clock).build();
        heap.scheduleAt(rec.task("late"), Long.MAX_VALUE - 1);
        heap.scheduleAt(rec.task("early"), Long.MAX_VALUE - 9_000);
        TimerHandle never = heap.scheduleAt(rec.task("never"), Long.MAX_VALUE);
        clock.set(Long.MAX_VALUE - 1);
        assertEquals(2, heap.runDue(clock.nanoTime()));
        assertEquals(List.of("early", "late"), rec.take());
        assertTrue(never.isPending());
        assertEquals(Long.MAX_VALUE, never.deadlineNanos());
        clock.advance(1_000, NANOSECONDS); // wraps to Long.MIN_VALUE + 998: still only "later"
        assertEquals(0, heap.runDue(clock.nanoTime()));
    }

    @Test
    void hugeAndNegativeDelays() {
        ManualClock clock = new ManualClock(1_000);
        TimerHeap heap = TimerHeap.builder().clock(clock).build();
        heap.schedule(rec.task("minus"), Long.MIN_VALUE, NANOSECONDS);
        heap.schedule(rec.task("huge"), Long.MAX_VALUE, MILLISECONDS);
        heap.scheduleAt(rec.task("past"), 0);
        assertEquals(2, heap.runDue(clock.nanoTime()), "negative delays and past deadlines run next pass");
        assertEquals(List.of("minus", "past"), rec.take());
        assertEquals(1, heap.stats().pendingTimers(), "the huge one waits forever");
        assertEquals(Long.MAX_VALUE, heap.beforePoll());
    }

    @Test
    void resetToTheSameDeadlineRunsOnceAndAfterItsPeers() {
        ManualClock clock = new ManualClock(0);
        TimerHeap heap = TimerHeap.builder().clock(clock).build();
        TimerHandle a = heap.scheduleAt(rec.task("a"), 100);
        heap.scheduleAt(rec.task("b"), 100);
        assertTrue(a.resetAt(100), "it was pending");
        assertTrue(Foreign.call(() -> a.resetAt(100)));
        assertEquals(2, heap.stats().pendingTimers());
        assertEquals(2, heap.runDue(100));
        assertEquals(List.of("b", "a"), rec.take(), "a re-arm orders it after timers armed before");
        assertFalse(a.isPending());
        assertEquals(0, heap.runDue(200));
    }
}
