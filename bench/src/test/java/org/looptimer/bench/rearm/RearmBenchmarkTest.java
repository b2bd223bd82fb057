package org.looptimer.bench.rearm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The re-arm rows must re-arm pending timers (not idle ones) and keep the population. */
class RearmBenchmarkTest {

    private static final int LIVE = 2_000;
    private final RearmBenchmark bench = new RearmBenchmark();

    private RearmBenchmark.Heap heap() {
        RearmBenchmark.Heap s = new RearmBenchmark.Heap();
        s.liveTimers = LIVE;
        s.setUp();
        return s;
    }

    @Test
    void laterRearmHotMovesOnePendingTimerLaterEachTime() {
        RearmBenchmark.Heap s = heap();
        long before = s.hot.deadlineNanos();
        assertEquals(RearmBenchmark.BATCH, bench.laterRearmHot(s), "every reset found it pending");
        long after = s.hot.deadlineNanos();
        assertEquals(RearmBenchmark.BATCH, bench.laterRearmHot(s));
        assertTrue(after > before && s.hot.deadlineNanos() > after, "each batch ends later");
        s.tearDown(); // throws if the live count drifted
    }

    @Test
    void laterRearmSpreadReArmsEveryTimerInTurn() {
        RearmBenchmark.Heap s = heap();
        for (int i = 0; i < 3 * LIVE / RearmBenchmark.BATCH; i++) {
            assertEquals(RearmBenchmark.BATCH, bench.laterRearmSpread(s), "batch " + i);
        }
        s.tearDown();
    }

    @Test
    void stopResetStopsAPendingTimerAndReArmsIt() {
        RearmBenchmark.Heap s = heap();
        assertEquals(RearmBenchmark.BATCH, bench.stopReset(s), "every stop found it pending");
        assertTrue(s.hot.isPending());
        s.tearDown();
    }
}
