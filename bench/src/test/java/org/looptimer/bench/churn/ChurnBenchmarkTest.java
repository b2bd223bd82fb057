package org.looptimer.bench.churn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * A churn figure is only meaningful if every stop in the batch really cancelled a pending timer
 * and the live population is back where it started: checked here for every implementation, with
 * a small population so it runs in well under a second (plus the wheel timer's settle sleep).
 */
class ChurnBenchmarkTest {

    private static final int LIVE = 2_000;
    private final ChurnBenchmark bench = new ChurnBenchmark();

    @Test
    void looptimerStopsEveryTimerItScheduled() {
        ChurnBenchmark.Looptimer s = new ChurnBenchmark.Looptimer();
        s.liveTimers = LIVE;
        s.setUp();
        s.checkThread();
        for (int i = 0; i < 5; i++) {
            assertTrue(bench.looptimer(s), "a stop returned false");
        }
        s.tearDown(); // throws if the live count drifted
    }

    @Test
    void nettyEventLoopCancelsEveryTaskItScheduledInsideTheLoop() {
        ChurnBenchmark.NettyEventLoop s = new ChurnBenchmark.NettyEventLoop();
        s.liveTimers = LIVE;
        s.setUp();
        assertTrue(s.loop.inEventLoop(), "the benchmark thread must own the loop");
        for (int i = 0; i < 5; i++) {
            assertTrue(bench.nettyEventLoop(s), "a cancel returned false");
        }
        s.tearDown();
    }

    @Test
    void nettyEventLoopHandoffRunsTheBatchOnTheLoopThread() throws Exception {
        ChurnBenchmark.NettyEventLoopHandoff s = new ChurnBenchmark.NettyEventLoopHandoff();
        s.liveTimers = LIVE;
        s.setUp();
        try {
            for (int i = 0; i < 5; i++) {
                assertTrue(bench.nettyEventLoopHandoff(s), "a cancel returned false");
            }
        } finally {
            s.tearDown();
        }
    }

    @Test
    void hashedWheelCancelsEveryTimeout() throws InterruptedException {
        ChurnBenchmark.NettyHashedWheel s = new ChurnBenchmark.NettyHashedWheel();
        s.liveTimers = LIVE;
        s.setUp();
        try {
            for (int i = 0; i < 5; i++) {
                assertTrue(bench.nettyHashedWheel(s), "a cancel returned false");
            }
        } finally {
            s.tearDown();
        }
    }

    @Test
    void jdkPoolCancelsEveryTask() {
        ChurnBenchmark.JdkScheduledPool s = new ChurnBenchmark.JdkScheduledPool();
        s.liveTimers = LIVE;
        s.setUp();
        try {
            for (int i = 0; i < 5; i++) {
                assertTrue(bench.jdkScheduledPool(s), "a cancel returned false");
            }
            assertTrue(
                    s.pool.getQueue().size() == LIVE,
                    "remove-on-cancel must keep the queue at " + LIVE + ", was "
                            + s.pool.getQueue().size());
        } finally {
            s.tearDown();
        }
    }

    @Test
    void agronaWheelCancelsEveryTimer() {
        ChurnBenchmark.AgronaWheel s = new ChurnBenchmark.AgronaWheel();
        s.liveTimers = LIVE;
        s.setUp();
        for (int i = 0; i < 5; i++) {
            assertTrue(bench.agronaWheel(s), "a cancel returned false");
        }
        s.tearDown(); // throws if the live count drifted
    }
}
