package org.looptimer.core;

import static java.util.concurrent.TimeUnit.DAYS;
import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.NANOSECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Go's delay semantics: zero or negative runs on the next pass, overflow never runs. */
class DelaySemanticsTest extends ManualHeapFixture {

    @ParameterizedTest
    @ValueSource(longs = {0, -1, -5_000_000_000L, Long.MIN_VALUE})
    void nonPositiveDelayRunsOnTheNextRunDueAndNotBefore(long delay) {
        runAt(3);
        TimerHandle t = heap.schedule(rec.task("t"), delay, NANOSECONDS);

        assertTrue(t.isPending());
        assertEquals(at(3), t.deadlineNanos(), "due at the clock reading of the call, not in the past");
        assertEquals(List.of(), rec.runs(), "scheduling never runs the callback inline");
        assertEquals(1, heap.runDue(at(3)));
        assertEquals(List.of("t"), rec.runs());
        assertFalse(t.isPending());
        assertEquals(0, heap.runDue(at(4)), "a one-shot timer runs once");
    }

    @Test
    void positiveDelayRunsAtItsDeadlineAndNotOneNanosecondEarlier() {
        TimerHandle t = heap.schedule(rec.task("t"), 10, MILLISECONDS);
        assertEquals(at(10), t.deadlineNanos());

        assertEquals(0, heap.runDue(at(10) - 1));
        assertEquals(List.of(), rec.runs());
        assertEquals(1, heap.runDue(at(10)));
        assertEquals(List.of("t"), rec.runs());
    }

    @Test
    void overflowingDelayNeverRuns() {
        TimerHandle nanos = heap.schedule(rec.task("nanos"), Long.MAX_VALUE, NANOSECONDS);
        TimerHandle days = heap.schedule(rec.task("days"), Long.MAX_VALUE, DAYS);
        TimerHandle manyDays = heap.schedule(rec.task("manyDays"), 100_000_000_000L, DAYS);

        for (TimerHandle t : List.of(nanos, days, manyDays)) {
            assertEquals(Long.MAX_VALUE, t.deadlineNanos(), t.toString());
            assertTrue(t.isPending(), "an overflowing timer is armed, it just never comes due");
        }
        assertEquals(Long.MAX_VALUE, heap.nextDeadlineNanos());
        assertEquals(Long.MAX_VALUE, heap.beforePoll(), "nothing to wake up for");
        heap.afterPoll();

        clock.advance(100 * 365, DAYS);
        assertEquals(0, heap.runDue(clock.nanoTime()));
        assertEquals(0, heap.runDue(Long.MAX_VALUE), "even the largest reading is not 'never'");
        assertEquals(List.of(), rec.runs());
        assertTrue(nanos.stop(), "it was pending, so stop prevented a run");
    }

    @Test
    void deadlineFurtherThanTheRepresentableRangeClampsToNever() {
        // 100,000 days (~273 years) fits in a long of nanoseconds but not in the heap's range.
        TimerHandle t = heap.schedule(rec.task("t"), 100_000, DAYS);
        assertEquals(Long.MAX_VALUE, t.deadlineNanos());
        clock.advance(300 * 365, DAYS);
        assertEquals(0, heap.runDue(clock.nanoTime()));
    }

    @Test
    void overflowingResetNeverRuns() {
        TimerHandle t = heap.schedule(rec.task("t"), 1, MILLISECONDS);
        assertTrue(t.reset(Long.MAX_VALUE, SECONDS));
        assertEquals(Long.MAX_VALUE, t.deadlineNanos());
        assertEquals(0, runAt(1000));
        assertEquals(List.of(), rec.runs());
    }

    @Test
    void overflowingTickerPeriodNeverTicks() {
        TimerHandle ticker = heap.scheduleTicker(rec.task("tick"), Long.MAX_VALUE, DAYS);
        assertEquals(Long.MAX_VALUE, ticker.deadlineNanos());
        assertEquals(0, heap.runDue(Long.MAX_VALUE));
        assertTrue(ticker.isPending());
    }

    @Test
    void deadlineIsInTheClockDomainAndSurvivesRunAndStop() {
        TimerHandle fired = heap.schedule(rec.task("fired"), 5, MILLISECONDS);
        TimerHandle stopped = heap.schedule(rec.task("stopped"), 7, MILLISECONDS);
        assertEquals(ORIGIN + ms(5), fired.deadlineNanos());

        runAt(6);
        assertTrue(stopped.stop());
        assertEquals(at(5), fired.deadlineNanos(), "the last arming's deadline stays readable");
        assertEquals(at(7), stopped.deadlineNanos());
    }

    @Test
    void foreignScheduleWithZeroDelayRunsOnTheNextPass() {
        TimerHandle t = Foreign.call(() -> heap.schedule(rec.task("t"), 0, MILLISECONDS));
        assertEquals(ORIGIN, t.deadlineNanos());
        assertEquals(1, heap.runDue(clock.nanoTime()));
        assertEquals(List.of("t"), rec.runs());
    }
}
