package org.looptimer.core;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link Lateness} in {@link TimerStats}: how late fired timers ran, per heap and summed. */
class LatenessTest extends ManualHeapFixture {

    @Test
    void everyBucketBoundIsAtLeastTheValueAndAtMostAQuarterAbove() {
        long[] samples = {0, 1, 3, 4, 5, 7, 8, 1_000, 1_023, 1_024, 999_999, 1L << 40, Long.MAX_VALUE};
        for (long v : samples) {
            long bound = LatenessRecorder.upperBound(LatenessRecorder.bucket(v));
            assertTrue(bound >= v && bound - v <= v / 4, v + " -> " + bound);
        }
        for (int b = 1; b < LatenessRecorder.BUCKETS; b++) {
            assertEquals(b, LatenessRecorder.bucket(LatenessRecorder.upperBound(b)), "bucket " + b);
            assertEquals(b, LatenessRecorder.bucket(LatenessRecorder.upperBound(b - 1) + 1), "bucket " + b);
        }
    }

    @Test
    void eachFiredTimerRecordsHowLateThePassRanIt() {
        heap.schedule(rec.task("a"), 10, MILLISECONDS);
        heap.schedule(rec.task("b"), 12, MILLISECONDS);
        heap.schedule(rec.task("c"), 13, MILLISECONDS);
        runAt(13); // 3 ms, 1 ms and 0 ms late
        Lateness late = heap.stats().lateness();
        assertEquals(3, late.count());
        assertEquals(ms(3), late.maxNanos(), "the maximum is exact");
        assertEquals(0, late.percentileNanos(30));
        assertBetween(ms(1), ms(1) * 5 / 4, late.percentileNanos(60));
        assertEquals(ms(3), late.percentileNanos(100), "never above the maximum");
    }

    @Test
    void aCallbackThatBlocksShowsAsLatenessAndEveryOtherDueTimerRunsOnceAfterwards() {
        heap.schedule(
                () -> {
                    rec.task("blocker").run();
                    clock.advance(100, MILLISECONDS); // the callback holds the loop for 100 ms
                },
                10,
                MILLISECONDS);
        heap.schedule(rec.task("one-shot"), 20, MILLISECONDS);
        heap.scheduleTicker(rec.task("tick"), 7, MILLISECONDS);
        runAt(10); // the ticker's 7 ms run and the blocker
        assertEquals(List.of("tick", "blocker"), rec.take());

        heap.runDue(clock.nanoTime()); // at 110 ms
        assertEquals(List.of("tick", "one-shot"), rec.take(), "the ticker skips its missed runs");
        Lateness late = heap.stats().lateness();
        assertEquals(ms(110 - 14), late.maxNanos(), "the ticker's 14 ms run ran at 110 ms");
        assertTrue(late.percentileNanos(75) >= ms(90), late.toString());
    }

    @Test
    void slackDelaysTheWakeUpButNeverRunsATimerEarly() {
        TimerHeap slack = newHeap(TimerHeap.builder().slack(10, MILLISECONDS));
        slack.schedule(rec.task("a"), 5, MILLISECONDS);
        slack.schedule(rec.task("b"), 9, MILLISECONDS);
        slack.schedule(rec.task("c"), 16, MILLISECONDS);
        assertEquals(at(15), slack.beforePoll(), "sleeps until the first deadline plus the slack");
        slack.afterPoll();
        assertEquals(0, slack.runDue(at(5) - 1), "slack never runs a timer before its deadline");
        assertEquals(2, slack.runDue(at(15)), "one wake-up runs every timer due within the slack");
        assertEquals(List.of("a", "b"), rec.take());
        assertEquals(at(26), slack.beforePoll());
        assertEquals(ms(10), slack.stats().lateness().maxNanos(), "the lateness slack added");
    }

    @Test
    void slackNearNeverStaysNever() {
        TimerHeap slack = newHeap(TimerHeap.builder().slack(Long.MAX_VALUE, MILLISECONDS));
        slack.schedule(rec.task("a"), 5, MILLISECONDS);
        assertEquals(Long.MAX_VALUE, slack.beforePoll(), "an unbounded slack may sleep forever");
        assertThrows(IllegalArgumentException.class, () -> TimerHeap.builder().slack(-1, MILLISECONDS));
    }

    @Test
    void statsReadOnOneLineAndAddUp() {
        heap.schedule(rec.task("a"), 1, MILLISECONDS);
        heap.schedule(rec.task("b"), 50, MILLISECONDS);
        runAt(3);
        TimerStats one = heap.stats();
        String line = one.toString();
        assertTrue(!line.contains("\n") && line.contains("pending=1") && line.contains("fired=1"), line);
        assertTrue(line.contains("max=2.0ms"), line);

        TimerStats two = one.plus(one);
        assertEquals(2, two.pendingTimers());
        assertEquals(2, two.lateness().count());
        assertEquals(ms(2), two.lateness().maxNanos());
        assertEquals(one, TimerStats.empty().plus(one), "empty() adds nothing");
    }

    private static void assertBetween(long low, long high, long actual) {
        assertTrue(actual >= low && actual <= high, actual + " not in [" + low + ", " + high + "]");
    }
}
