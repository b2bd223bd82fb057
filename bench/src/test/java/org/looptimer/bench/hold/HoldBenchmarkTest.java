package org.looptimer.bench.hold;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The hold model's contract for every row: one operation expires exactly one timer, whose callback
 * arms its replacement, so the population stays constant and time only moves forward.
 */
class HoldBenchmarkTest {

    private static final int LIVE = 2_000;
    private static final int OPS = 10_000; // five times the population: every timer turns over
    private final HoldBenchmark bench = new HoldBenchmark();

    @Test
    void looptimerExpiresExactlyOnePerOperation() {
        HoldBenchmark.Looptimer s = new HoldBenchmark.Looptimer();
        s.liveTimers = LIVE;
        s.setUp();
        for (int i = 0; i < OPS; i++) {
            assertEquals(1, bench.looptimer(s), "operation " + i);
        }
        assertEquals(OPS, s.heap.stats().timersFired());
        s.tearDown(); // throws if the live count drifted
    }

    @Test
    void looptimerResetExpiresExactlyOnePerOperation() {
        HoldBenchmark.LooptimerReset s = new HoldBenchmark.LooptimerReset();
        s.liveTimers = LIVE;
        s.setUp();
        for (int i = 0; i < OPS; i++) {
            assertEquals(1, bench.looptimerReset(s), "operation " + i);
        }
        s.tearDown();
    }

    @Test
    void nettyEventLoopRunsExactlyOneTaskPerOperation() {
        HoldBenchmark.NettyEventLoop s = new HoldBenchmark.NettyEventLoop();
        s.liveTimers = LIVE;
        s.setUp();
        long before = s.loop.nextDeadlineNanos();
        for (int i = 0; i < OPS; i++) {
            assertEquals(1, bench.nettyEventLoop(s), "operation " + i);
        }
        long after = s.loop.nextDeadlineNanos();
        assertEquals(true, after > before, "time moved forward");
        s.tearDown();
    }

    @Test
    void agronaWheelExpiresExactlyOnePerOperation() {
        HoldBenchmark.AgronaWheel s = new HoldBenchmark.AgronaWheel();
        s.liveTimers = LIVE;
        s.setUp();
        for (int i = 0; i < OPS; i++) {
            assertEquals(1, bench.agronaWheel(s), "operation " + i);
        }
        s.tearDown(); // throws if the live count drifted
    }
}
