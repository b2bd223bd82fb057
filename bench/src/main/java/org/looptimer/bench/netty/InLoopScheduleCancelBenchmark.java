package org.looptimer.bench.netty;

import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.looptimer.core.TimerHandle;
import org.looptimer.core.Timers;
import org.looptimer.netty.TimerEventLoop;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code EventLoop.schedule} + {@code ScheduledFuture.cancel} pairs made <em>inside</em> the loop
 * (a handler arming and disarming a timeout), with 10k or 1M far-future timers pending on the same
 * loop: stock Netty 4.2.18 against {@code TimerEventLoopGroup}, one loop each, same transport.
 *
 * <p>Each invocation hands one task to the loop ({@link LoopBatch}) that makes
 * {@value #PAIRS} pairs there and waits for it; the score is per pair. So many pairs that the
 * hand-off (a selector wake-up, tens of microseconds on a VM) is under 1% of the score: with
 * 1,000 it was half of it, and hid the difference between the loops. Delays of the pairs and of
 * the pending timers are uniform in 1-2 h, from a seeded random, precomputed, so nothing fires
 * during a run and every side sees the same keys.
 *
 * <p>{@code impl}:
 * <ul>
 *   <li>{@code netty}: stock {@code MultiThreadIoEventLoopGroup}, Netty's {@code ScheduledFutureTask}
 *       in its binary object heap.</li>
 *   <li>{@code looptimer}: {@code TimerEventLoopGroup}, the same {@code EventLoop.schedule} call;
 *       the future is itself the loop's timer entry (one 40-byte object, its promise
 *       built only for listeners or waiters, so none here).</li>
 *   <li>{@code looptimer-heap}: the same loop's heap used directly,
 *       {@code loop.timers().schedule} + {@code TimerHandle.stop}: the cost of the Netty future
 *       wrapper is the difference with {@code looptimer}.</li>
 * </ul>
 *
 * <p>{@link LoopHandoffBenchmark} measures the hand-off alone, on the same loops.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"})
public class InLoopScheduleCancelBenchmark {

    static final int PAIRS = 100_000;
    private static final int DELAY_RING = 1 << 12; // power of two: the index wraps with a mask
    // A shared no-op task: a constant reads better than a method reference at each call site.
    @SuppressWarnings("UnnecessaryLambda")
    private static final Runnable NOOP = () -> {};

    @Param({"10000", "1000000"})
    int liveTimers;

    @Param({Loops.NETTY, Loops.LOOPTIMER, "looptimer-heap"})
    String impl;

    @Param({"nio"})
    String transport;

    private MultiThreadIoEventLoopGroup group;
    private EventLoop loop;
    private Timers heap;
    private long[] pairDelays;
    /** Loop thread only: the next index into pairDelays, carried across batches. */
    private int next;

    private LoopBatch pairs;

    // Background timers: they stay armed all trial, never awaited or cancelled.
    @SuppressWarnings("FutureReturnValueIgnored")
    @Setup(Level.Trial)
    public void setUp() {
        group = Loops.newGroup(impl, Transport.named(transport).newFactory());
        loop = group.next();
        heap = loop instanceof TimerEventLoop timerLoop ? timerLoop.timers() : null;
        if (impl.equals("looptimer-heap") && heap == null) {
            throw new IllegalStateException("looptimer-heap needs a TimerEventLoop, got " + loop);
        }
        long[] pendingDelays = FarDelays.uniform(liveTimers, FarDelays.ONE_HOUR_NANOS, FarDelays.ONE_HOUR_NANOS, 42);
        pairDelays = FarDelays.uniform(DELAY_RING, FarDelays.ONE_HOUR_NANOS, FarDelays.ONE_HOUR_NANOS, 4242);
        // The pending timers are armed inside the loop, like the pairs, and stay armed all trial.
        new LoopBatch(loop, () -> {
                    for (long delay : pendingDelays) {
                        if (heap != null && impl.equals("looptimer-heap")) {
                            heap.schedule(NOOP, delay, TimeUnit.NANOSECONDS);
                        } else {
                            loop.schedule(NOOP, delay, TimeUnit.NANOSECONDS);
                        }
                    }
                })
                .runAndWait();
        pairs = new LoopBatch(loop, impl.equals("looptimer-heap") ? this::heapPairs : this::futurePairs);
        if (heap != null && heap.stats().pendingTimers() != liveTimers) {
            throw new IllegalStateException("expected " + liveTimers + " pending timers, heap has " + heap.stats());
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (heap != null && heap.stats().pendingTimers() != liveTimers) {
            throw new IllegalStateException(
                    "pairs leaked timers: expected " + liveTimers + " pending, heap has " + heap.stats());
        }
        Loops.shutdown(group);
    }

    /** Loop thread: PAIRS schedule+cancel pairs through Netty's EventLoop API. */
    private void futurePairs() {
        EventLoop loop = this.loop;
        long[] delays = pairDelays;
        int i = next;
        for (int n = 0; n < PAIRS; n++) {
            ScheduledFuture<?> f = loop.schedule(NOOP, delays[i], TimeUnit.NANOSECONDS);
            f.cancel(false);
            i = (i + 1) & (DELAY_RING - 1);
        }
        next = i;
    }

    /** Loop thread: PAIRS schedule+stop pairs on the loop's heap directly. */
    private void heapPairs() {
        Timers heap = this.heap;
        long[] delays = pairDelays;
        int i = next;
        for (int n = 0; n < PAIRS; n++) {
            TimerHandle h = heap.schedule(NOOP, delays[i], TimeUnit.NANOSECONDS);
            h.stop();
            i = (i + 1) & (DELAY_RING - 1);
        }
        next = i;
    }

    /** One schedule+cancel pair inside the loop, hand-off included (see {@link LoopHandoffBenchmark}). */
    @Benchmark
    @OperationsPerInvocation(PAIRS)
    public void scheduleCancel() {
        pairs.runAndWait();
    }
}
