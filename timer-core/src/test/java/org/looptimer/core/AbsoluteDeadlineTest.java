package org.looptimer.core;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code scheduleAt} and {@code resetAt}: absolute deadlines, for callers that hold a reading. */
class AbsoluteDeadlineTest extends ManualHeapFixture {

    /** A clock that fails the test if it is read: the absolute forms must not read it. */
    private final ManualClock guarded = new ManualClock(ORIGIN);

    private boolean reads = true;
    private final TimerHeap unread = TimerHeap.builder()
            .clock(() -> {
                if (!reads) {
                    throw new AssertionError("the clock was read");
                }
                return guarded.nanoTime();
            })
            .build();

    @Test
    void runsAtTheDeadlineAndNotOneNanosecondBefore() {
        TimerHandle t = heap.scheduleAt(rec.task("t"), at(10));
        assertEquals(at(10), t.deadlineNanos());
        assertEquals(0, heap.runDue(at(10) - 1));
        assertEquals(1, heap.runDue(at(10)));
        assertEquals(List.of("t"), rec.runs());
    }

    @Test
    void aDeadlineInThePastRunsOnTheNextPass() {
        runAt(50);
        TimerHandle t = heap.scheduleAt(rec.task("t"), at(20));
        assertTrue(t.isPending());
        assertEquals(1, heap.runDue(at(50)));
        TimerHandle beforeOrigin = heap.scheduleAt(rec.task("old"), ORIGIN - 1_000_000_000L);
        assertEquals(1, heap.runDue(at(50)));
        assertFalse(beforeOrigin.isPending());
        assertEquals(List.of("t", "old"), rec.runs());
    }

    @Test
    void maxValueNeverRuns() {
        TimerHandle t = heap.scheduleAt(rec.task("t"), Long.MAX_VALUE);
        assertEquals(Long.MAX_VALUE, t.deadlineNanos());
        assertEquals(0, heap.runDue(Long.MAX_VALUE - 1));
        assertTrue(t.isPending());
        assertTrue(t.resetAt(at(5)), "and it can be re-armed like any pending timer");
        assertEquals(1, runAt(5));
    }

    @Test
    void neitherFormReadsTheClock() {
        reads = false;
        TimerHandle t = unread.scheduleAt(rec.task("t"), ORIGIN + ms(10));
        assertTrue(t.resetAt(ORIGIN + ms(30)));
        assertTrue(t.resetAt(ORIGIN + ms(20)));
        assertEquals(0, unread.runDue(ORIGIN + ms(19)));
        assertEquals(1, unread.runDue(ORIGIN + ms(20)));
    }

    @Test
    void resetAtReturnsWhetherItWasPendingAndRearmsARunTimer() {
        TimerHandle t = heap.scheduleAt(rec.task("t"), at(10));
        assertTrue(t.resetAt(at(20)), "pending");
        assertEquals(0, runAt(10), "the earlier arming is gone");
        assertEquals(1, runAt(20));
        assertFalse(t.resetAt(at(40)), "ran: not pending, re-armed all the same");
        assertEquals(1, runAt(40));
        assertEquals(List.of("t", "t"), rec.runs());
    }

    @Test
    void tickerResetAtKeepsItsPeriod() {
        TimerHandle ticker = heap.scheduleTicker(rec.task("tick"), 10, MILLISECONDS);
        assertTrue(ticker.resetAt(at(25)));
        assertEquals(0, runAt(10));
        assertEquals(0, runAt(24));
        assertEquals(1, runAt(25));
        assertEquals(at(35), ticker.deadlineNanos(), "the period is still 10 ms");
        assertEquals(1, runAt(35));
    }

    @Test
    void foreignResetAtEarlierIsHandedOverAndRunsOnTime() {
        TimerHandle t = heap.scheduleAt(rec.task("t"), at(1000));
        assertTrue(Foreign.call(() -> t.resetAt(at(10))));
        assertEquals(0, heap.runDue(at(9)));
        assertEquals(1, heap.runDue(at(10)));
    }

    @Test
    void nullTaskNamesItself() {
        NullPointerException e = assertThrows(NullPointerException.class, () -> heap.scheduleAt(null, at(1)));
        assertEquals("task", e.getMessage());
    }
}
