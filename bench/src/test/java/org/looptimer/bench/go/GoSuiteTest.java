package org.looptimer.bench.go;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.looptimer.bench.report.Row;
import org.looptimer.netty.LoopTimers;

/**
 * Every ported Go benchmark does the work its Go original does, on every way: a few operations
 * run outside any timing, then the loops are checked for what the body armed, fired and stopped.
 */
class GoSuiteTest {

    private static final int OPS = 3;

    private MultiThreadIoEventLoopGroup group;

    @AfterEach
    void shutDown() {
        if (group != null) {
            group.shutdownGracefully(0, 10, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private EventLoop[] loops(Way way, int n) {
        group = way.newGroup(n);
        return GoSuite.loopsOf(group);
    }

    private static Worker[] workers(Way way, EventLoop[] loops) {
        Worker[] workers = new Worker[loops.length];
        for (int i = 0; i < loops.length; i++) {
            workers[i] = new Worker(way, loops[i]);
        }
        return workers;
    }

    @ParameterizedTest
    @EnumSource(Way.class)
    void everyParallelBenchRunsItsOperationsAndLeavesNoTimerArmed(Way way) throws InterruptedException {
        EventLoop[] loops = loops(way, 2);
        Worker[] workers = workers(way, loops);
        for (ParallelBench bench : ParallelBench.values()) {
            GoSuite.runOps(workers, bench, OPS);

            assertEquals(OPS, workers[0].completed + workers[1].completed, bench + ": operations completed");
            if (way != Way.NETTY) {
                for (EventLoop loop : loops) {
                    long[] pending = new long[1];
                    GoSuite.onLoop(
                            loop, () -> pending[0] = LoopTimers.of(loop).stats().pendingTimers());
                    assertEquals(0, pending[0], bench + " on " + way + " left timers armed");
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Way.class)
    void afterFuncRunsAChainOfNPlusOneLinksAndSimultaneousRunsAllN(Way way) throws InterruptedException {
        EventLoop[] loops = loops(way, 1);
        Worker[] workers = workers(way, loops);

        GoSuite.runOps(workers, ParallelBench.AfterFunc, 1);
        assertEquals(-1, workers[0].remaining, "Go's chain: n-- until n < 0, so n + 1 links");

        GoSuite.runOps(workers, ParallelBench.SimultaneousAfterFunc, 1);
        assertEquals(0, workers[0].remaining, "every one of the n timers ran");
    }

    @ParameterizedTest
    @EnumSource(Way.class)
    void startStopArmsThenStopsEveryTimer(Way way) throws InterruptedException {
        EventLoop[] loops = loops(way, 1);
        AtomicInteger ran = new AtomicInteger();
        Worker w = new Worker(way, loops[0]);
        // The bodies stop what they arm: none of a StartStop's one-hour timers may have been dropped.
        GoSuite.onLoop(loops[0], () -> {
            Object[] armed = new Object[Worker.N];
            for (int i = 0; i < armed.length; i++) {
                armed[i] = way.start(loops[0], ran::incrementAndGet, Worker.HOUR);
            }
            for (Object h : armed) {
                assertTrue(way.stop(h), "a pending timer's stop returns true");
            }
        });
        GoSuite.runOps(new Worker[] {w}, ParallelBench.StartStop, 1);
        for (Object slot : w.slots) {
            assertNull(slot, "StartStop keeps no handle after its stops");
        }
        assertEquals(0, ran.get());
    }

    @ParameterizedTest
    @EnumSource(Way.class)
    void latencyBenchesRecordOneSamplePerTimerRun(Way way) throws InterruptedException {
        EventLoop[] loops = loops(way, 2);

        LatencyStats parallel = new LatencyStats(1);
        new ParallelTimers(way, loops, 1).run(5, parallel);
        assertEquals(5, parallel.samples(), "one timer per round, five rounds");
        assertTrue(parallel.average() >= 0 && parallel.max() >= parallel.average());

        StaggeredTickers tickers = new StaggeredTickers(
                way, loops, 2, TimeUnit.MILLISECONDS.toNanos(3), TimeUnit.MICROSECONDS.toNanos(300));
        LatencyStats staggered = new LatencyStats(tickers.count);
        tickers.run(4, staggered);
        assertEquals(8, staggered.samples(), "two tickers, four ticks each, then stopped");
    }

    @ParameterizedTest
    @EnumSource(Way.class)
    void aRowCarriesGosNameAndUnit(Way way) throws InterruptedException {
        EventLoop[] loops = loops(way, 2);
        GoSuite suite = new GoSuite(2, TimeUnit.MILLISECONDS.toNanos(5), 2, true, System.out);

        Row row = suite.parallel(way, loops, ParallelBench.Reset);

        assertEquals("go", row.suite());
        assertEquals(way.peer, row.peer());
        assertEquals("bench=Reset", row.params());
        assertEquals("ns/op", row.unit());
        assertTrue(row.score() > 0, row.toString());
    }

    @org.junit.jupiter.api.Test
    void namesDurationsAsGoPrintsThem() {
        assertEquals("300\u00b5s", GoSuite.goDuration(TimeUnit.MICROSECONDS.toNanos(300)));
        assertEquals("2ms", GoSuite.goDuration(TimeUnit.MILLISECONDS.toNanos(2)));
    }
}
