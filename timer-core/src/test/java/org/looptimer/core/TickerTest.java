package org.looptimer.core;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Tickers: first run one period out, then every period; late passes skip, never burst. */
class TickerTest extends ManualHeapFixture {

    @Test
    void firstRunIsOnePeriodAfterScheduling() {
        runAt(3);
        TimerHandle ticker = heap.scheduleTicker(rec.task("tick"), 10, MILLISECONDS);
        assertTrue(ticker.isPeriodic());
        assertEquals(at(13), ticker.deadlineNanos());
        assertEquals(0, runAt(12));
        assertEquals(1, runAt(13));
    }

    @Test
    void runsEveryPeriod() {
        TimerHandle ticker = heap.scheduleTicker(rec.task("tick"), 10, MILLISECONDS);
        for (int i = 1; i <= 50; i++) {
            assertEquals(0, runAt(10L * i - 1), "tick " + i + " too early");
            assertEquals(1, runAt(10L * i), "tick " + i);
            assertEquals(at(10L * (i + 1)), ticker.deadlineNanos());
            assertTrue(ticker.isPending());
        }
        assertEquals(50, rec.count("tick"));
    }

    @Test
    void lateRunDueSkipsMissedTicksInsteadOfBursting() {
        TimerHandle ticker = heap.scheduleTicker(rec.task("tick"), 10, MILLISECONDS);
        assertEquals(1, runAt(35), "three ticks were due: one run, not three");
        assertEquals(at(40), ticker.deadlineNanos(), "back on the period grid");
        assertEquals(0, runAt(39));
        assertEquals(1, runAt(40));
        assertEquals(1, runAt(70), "exactly on a boundary: 50 and 60 are skipped");
        assertEquals(at(80), ticker.deadlineNanos());
        assertEquals(3, rec.count("tick"));
    }

    @Test
    void veryLateRunDueStillRunsOnce() {
        TimerHandle ticker = heap.scheduleTicker(rec.task("tick"), 1, MILLISECONDS);
        assertEquals(1, runAt(1_000_000));
        assertEquals(at(1_000_001), ticker.deadlineNanos());
    }

    @Test
    void resetSetsTheNewPeriodAndRestartsFromNow() {
        TimerHandle ticker = heap.scheduleTicker(rec.task("tick"), 10, MILLISECONDS);
        runAt(10);
        assertTrue(ticker.reset(25, MILLISECONDS), "a ticker is pending between ticks");
        assertEquals(at(35), ticker.deadlineNanos());
        assertEquals(0, runAt(20));
        assertEquals(1, runAt(35));
        assertEquals(1, runAt(60));
        assertEquals(at(85), ticker.deadlineNanos());
    }

    @Test
    void resetOfAStoppedTickerRestartsIt() {
        TimerHandle ticker = heap.scheduleTicker(rec.task("tick"), 10, MILLISECONDS);
        assertTrue(ticker.stop());
        assertFalse(ticker.reset(5, MILLISECONDS));
        assertEquals(1, runAt(5));
        assertEquals(1, runAt(10));
        assertEquals(2, rec.count("tick"));
    }

    @Test
    void foreignResetSetsThePeriodToo() {
        TimerHandle ticker = heap.scheduleTicker(rec.task("tick"), 10, MILLISECONDS);
        assertTrue(Foreign.call(() -> ticker.reset(3, MILLISECONDS)));
        assertEquals(1, runAt(3));
        assertEquals(1, runAt(6));
        assertEquals(at(9), ticker.deadlineNanos());
    }

    @ParameterizedTest
    @ValueSource(longs = {0, -1, Long.MIN_VALUE})
    void nonPositivePeriodIsRejected(long period) {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> heap.scheduleTicker(rec.task("tick"), period, MILLISECONDS));
        assertTrue(e.getMessage().contains("period"), e.getMessage());
        assertEquals(0, heap.stats().pendingTimers());
    }

    @ParameterizedTest
    @ValueSource(longs = {0, -7})
    void nonPositivePeriodInResetIsRejectedAndChangesNothing(long period) {
        TimerHandle ticker = heap.scheduleTicker(rec.task("tick"), 10, MILLISECONDS);
        assertThrows(IllegalArgumentException.class, () -> ticker.reset(period, MILLISECONDS));
        assertThrows(IllegalArgumentException.class, () -> Foreign.run(() -> ticker.reset(period, MILLISECONDS)));
        assertTrue(ticker.isPending());
        assertEquals(1, runAt(10));
        assertEquals(1, runAt(20));
    }

    @Test
    void oneShotResetWithZeroDelayIsFineButATickerIsNot() {
        TimerHandle oneShot = heap.schedule(rec.task("t"), 10, MILLISECONDS);
        assertFalse(oneShot.isPeriodic());
        assertTrue(oneShot.reset(0, MILLISECONDS));
        assertEquals(1, heap.runDue(clock.nanoTime()));
    }

    @Test
    void tickerDoesNotRunTwiceInOnePassWhenItsPeriodIsTiny() {
        heap.scheduleTicker(rec.task("tick"), 1, java.util.concurrent.TimeUnit.NANOSECONDS);
        assertEquals(1, runAt(1));
        assertEquals(1, heap.runDue(at(1) + 1));
        assertEquals(List.of("tick", "tick"), rec.runs());
    }
}
