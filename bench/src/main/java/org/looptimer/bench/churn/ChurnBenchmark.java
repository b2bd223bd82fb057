package org.looptimer.bench.churn;

import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.local.LocalIoHandler;
import io.netty.util.HashedWheelTimer;
import io.netty.util.Timeout;
import io.netty.util.TimerTask;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.SplittableRandom;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.agrona.DeadlineTimerWheel;
import org.looptimer.bench.fixture.AgronaWheels;
import org.looptimer.bench.fixture.BenchmarkThread;
import org.looptimer.bench.fixture.DaemonThreads;
import org.looptimer.bench.fixture.Delays;
import org.looptimer.bench.fixture.LiveTimers;
import org.looptimer.bench.fixture.PeekableIoEventLoop;
import org.looptimer.core.TimerHandle;
import org.looptimer.core.TimerHeap;
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
 * Churn: schedule-then-stop pairs among {@code liveTimers} idle timers, the work of a server whose
 * requests each arm a timeout and almost always cancel it. One operation is one pair; each
 * invocation does {@value #BATCH} schedules and then stops those {@value #BATCH} in the same order
 * (the shape of Go's {@code BenchmarkStartStop}), so a stop removes an entry from a random place in
 * the structure, not the entry just added.
 *
 * <p>Fairness: every implementation holds the same number of live timers, placed by the same
 * seeded random delays in [1 h, 2 h), and draws the batch's delays from the same precomputed
 * sequence ({@link Delays}), so nothing fires and nothing is random in the measured loop. The
 * batch size is the same for all.
 *
 * <ul>
 *   <li>{@code looptimer}: {@link TimerHeap#schedule} on its owner thread, the benchmark thread.
 *       Every schedule reads the clock (never early: the delay counts from the call), as Netty's
 *       does.
 *   <li>{@code looptimerAt}: {@link TimerHeap#scheduleAt} with deadlines computed from one
 *       {@code System.nanoTime()} per batch, as the Agrona row does: a caller that already holds
 *       a reading reads no clock.
 *   <li>{@code nettyEventLoop}: Netty's event-loop scheduler ({@code schedule} + {@code cancel}),
 *       called inside the loop: a {@link io.netty.channel.ManualIoEventLoop} owned by the
 *       benchmark thread (see {@link PeekableIoEventLoop}). Netty reads the ticker on every
 *       {@code schedule}; that is its design, and it is measured.
 *   <li>{@code nettyEventLoopHandoff}: the same scheduler in a real
 *       {@code MultiThreadIoEventLoopGroup} thread; each batch is handed to the loop with
 *       {@code execute} and the benchmark thread spins until it is done. The difference from
 *       {@code nettyEventLoop} is the hand-off, amortized over the batch.
 *   <li>{@code nettyHashedWheel}: {@link HashedWheelTimer} {@code newTimeout} + {@code cancel}
 *       from the benchmark thread. It is a foreign-thread design: both calls only enqueue, and its
 *       worker thread does the bucket work on the other core, which this figure does not include.
 *       Tick is 1 ms, not the default 100 ms: the worker moves at most 100,000 new timeouts per
 *       tick, and with 100 ms ticks the benchmark outruns it and its queue grows without bound.
 *   <li>{@code jdkScheduledPool}: {@link ScheduledThreadPoolExecutor} with
 *       {@code setRemoveOnCancelPolicy(true)}, one calling thread (a lock and a binary heap).
 *   <li>{@code agronaWheel}: Agrona's {@link DeadlineTimerWheel} on the benchmark thread, with
 *       deadlines computed from one {@code System.nanoTime()} per batch; sized by
 *       {@link AgronaWheels#forChurn}. It stores only a deadline per timer: a caller that needs a
 *       callback per timer must map the id to it, which is not measured here.
 * </ul>
 *
 * <p>Heap and GC: {@code -Xms2g -Xmx2g} holds 1M timers of any implementation with room to spare.
 * G1, the JDK default, because it is what a Netty server most likely runs: its reference write
 * barriers are part of what an object-based timer structure costs (looptimer's sifts move
 * {@code long} keys and few references; Netty's heap moves references only), and with under
 * 200 MB live in 2 GB no concurrent marking cycle runs while measuring. {@code -XX:+AlwaysPreTouch}
 * makes the kernel hand over every page of that heap before the first iteration: without it, each
 * time the young generation moved onto pages not yet touched, the fork took page faults inside a
 * measured iteration, and one row's iterations varied 2-4x on the project's VMs.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@OperationsPerInvocation(ChurnBenchmark.BATCH)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch", "-XX:+UseG1GC"})
public class ChurnBenchmark {

    /** Pairs per invocation, the same for every implementation. */
    public static final int BATCH = 1000;

    static final Runnable NOOP = () -> {};
    static final TimerTask NOOP_TASK = timeout -> {};

    // ------------------------------------------------------------------------------------------

    @State(Scope.Thread)
    public static class Looptimer {
        @Param({"10000", "1000000"})
        int liveTimers;

        TimerHeap heap;
        final TimerHandle[] batch = new TimerHandle[BATCH];
        final Delays delays = new Delays();
        BenchmarkThread thread;

        @Setup(Level.Trial)
        public void setUp() {
            thread = new BenchmarkThread();
            heap = TimerHeap.builder().build(); // owner: this thread, the benchmark thread
            SplittableRandom random = Delays.setupRandom();
            for (int i = 0; i < liveTimers; i++) {
                heap.schedule(NOOP, Delays.setupDelay(random), TimeUnit.NANOSECONDS);
            }
        }

        @Setup(Level.Iteration)
        public void checkThread() {
            thread.check();
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            LiveTimers.closeExpecting(heap, liveTimers);
        }
    }

    @Benchmark
    public boolean looptimer(Looptimer s) {
        TimerHeap heap = s.heap;
        TimerHandle[] batch = s.batch;
        Delays delays = s.delays;
        for (int i = 0; i < BATCH; i++) {
            batch[i] = heap.schedule(NOOP, delays.next(), TimeUnit.NANOSECONDS);
        }
        boolean all = true;
        for (int i = 0; i < BATCH; i++) {
            all &= batch[i].stop();
        }
        return all;
    }

    @Benchmark
    public boolean looptimerAt(Looptimer s) {
        TimerHeap heap = s.heap;
        TimerHandle[] batch = s.batch;
        Delays delays = s.delays;
        long now = System.nanoTime(); // one reading per batch, as a loop pass would hold
        for (int i = 0; i < BATCH; i++) {
            batch[i] = heap.scheduleAt(NOOP, now + delays.next());
        }
        boolean all = true;
        for (int i = 0; i < BATCH; i++) {
            all &= batch[i].stop();
        }
        return all;
    }

    // ------------------------------------------------------------------------------------------

    @State(Scope.Thread)
    public static class NettyEventLoop {
        @Param({"10000", "1000000"})
        int liveTimers;

        PeekableIoEventLoop loop;
        final ScheduledFuture<?>[] batch = new ScheduledFuture<?>[BATCH];
        final Delays delays = new Delays();
        BenchmarkThread thread;

        // Background timers: they stay armed all trial, never awaited or cancelled.
        @SuppressWarnings("FutureReturnValueIgnored")
        @Setup(Level.Trial)
        public void setUp() {
            thread = new BenchmarkThread();
            // The benchmark thread owns the loop: schedule and cancel take the in-loop paths.
            loop = new PeekableIoEventLoop(LocalIoHandler.newFactory(), io.netty.util.concurrent.Ticker.systemTicker());
            SplittableRandom random = Delays.setupRandom();
            for (int i = 0; i < liveTimers; i++) {
                loop.schedule(NOOP, Delays.setupDelay(random), TimeUnit.NANOSECONDS);
            }
        }

        @Setup(Level.Iteration)
        public void checkThread() {
            thread.check();
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            loop.shutdownAndDrain();
        }
    }

    @Benchmark
    public boolean nettyEventLoop(NettyEventLoop s) {
        return nettyBatch(s.loop, s.batch, s.delays);
    }

    static boolean nettyBatch(EventExecutor loop, ScheduledFuture<?>[] batch, Delays delays) {
        for (int i = 0; i < BATCH; i++) {
            batch[i] = loop.schedule(NOOP, delays.next(), TimeUnit.NANOSECONDS);
        }
        boolean all = true;
        for (int i = 0; i < BATCH; i++) {
            all &= batch[i].cancel(false);
        }
        return all;
    }

    // ------------------------------------------------------------------------------------------

    @State(Scope.Thread)
    public static class NettyEventLoopHandoff {
        @Param({"10000", "1000000"})
        int liveTimers;

        MultiThreadIoEventLoopGroup group;
        EventExecutor loop;
        final ScheduledFuture<?>[] batch = new ScheduledFuture<?>[BATCH];
        final Delays delays = new Delays();
        /** Set by the loop when a batch is done; the benchmark thread spins on it (volatile). */
        volatile boolean done;

        volatile boolean allCancelled;
        final Runnable batchTask = () -> {
            allCancelled = nettyBatch(loop, batch, delays);
            done = true;
        };

        // Background timers: they stay armed all trial, never awaited or cancelled.
        @SuppressWarnings("FutureReturnValueIgnored")
        @Setup(Level.Trial)
        public void setUp() throws Exception {
            group = new MultiThreadIoEventLoopGroup(
                    1, new DefaultThreadFactory("netty-loop", true), LocalIoHandler.newFactory());
            loop = group.next();
            loop.submit(() -> {
                        SplittableRandom random = Delays.setupRandom();
                        for (int i = 0; i < liveTimers; i++) {
                            loop.schedule(NOOP, Delays.setupDelay(random), TimeUnit.NANOSECONDS);
                        }
                    })
                    .sync();
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Benchmark
    public boolean nettyEventLoopHandoff(NettyEventLoopHandoff s) {
        s.done = false;
        s.loop.execute(s.batchTask);
        while (!s.done) {
            Thread.onSpinWait();
        }
        return s.allCancelled;
    }

    // ------------------------------------------------------------------------------------------

    @State(Scope.Thread)
    public static class NettyHashedWheel {
        @Param({"10000", "1000000"})
        int liveTimers;

        HashedWheelTimer timer;
        final Timeout[] batch = new Timeout[BATCH];
        final Delays delays = new Delays();

        @Setup(Level.Trial)
        public void setUp() throws InterruptedException {
            timer = new HashedWheelTimer(new DaemonThreads("hashed-wheel"), 1, TimeUnit.MILLISECONDS, 512, false, -1);
            SplittableRandom random = Delays.setupRandom();
            for (int i = 0; i < liveTimers; i++) {
                timer.newTimeout(NOOP_TASK, Delays.setupDelay(random), TimeUnit.NANOSECONDS);
            }
            // Let the worker move them from its inbox into buckets (100,000 per 1 ms tick).
            Thread.sleep(200 + liveTimers / 10_000);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            timer.stop();
        }
    }

    @Benchmark
    public boolean nettyHashedWheel(NettyHashedWheel s) {
        HashedWheelTimer timer = s.timer;
        Timeout[] batch = s.batch;
        Delays delays = s.delays;
        for (int i = 0; i < BATCH; i++) {
            batch[i] = timer.newTimeout(NOOP_TASK, delays.next(), TimeUnit.NANOSECONDS);
        }
        boolean all = true;
        for (int i = 0; i < BATCH; i++) {
            all &= batch[i].cancel();
        }
        return all;
    }

    // ------------------------------------------------------------------------------------------

    @State(Scope.Thread)
    public static class JdkScheduledPool {
        @Param({"10000", "1000000"})
        int liveTimers;

        ScheduledThreadPoolExecutor pool;
        final java.util.concurrent.ScheduledFuture<?>[] batch = new java.util.concurrent.ScheduledFuture<?>[BATCH];
        final Delays delays = new Delays();

        // Background timers: they stay armed all trial, never awaited or cancelled.
        @SuppressWarnings("FutureReturnValueIgnored")
        @Setup(Level.Trial)
        public void setUp() {
            pool = new ScheduledThreadPoolExecutor(1, new DaemonThreads("jdk-scheduled"));
            pool.setRemoveOnCancelPolicy(true);
            SplittableRandom random = Delays.setupRandom();
            for (int i = 0; i < liveTimers; i++) {
                pool.schedule(NOOP, Delays.setupDelay(random), TimeUnit.NANOSECONDS);
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            pool.shutdownNow();
        }
    }

    @Benchmark
    public boolean jdkScheduledPool(JdkScheduledPool s) {
        ScheduledThreadPoolExecutor pool = s.pool;
        java.util.concurrent.ScheduledFuture<?>[] batch = s.batch;
        Delays delays = s.delays;
        for (int i = 0; i < BATCH; i++) {
            batch[i] = pool.schedule(NOOP, delays.next(), TimeUnit.NANOSECONDS);
        }
        boolean all = true;
        for (int i = 0; i < BATCH; i++) {
            all &= batch[i].cancel(false);
        }
        return all;
    }

    // ------------------------------------------------------------------------------------------

    @State(Scope.Thread)
    public static class AgronaWheel {
        @Param({"10000", "1000000"})
        int liveTimers;

        DeadlineTimerWheel wheel;
        final long[] batch = new long[BATCH];
        final Delays delays = new Delays();

        @Setup(Level.Trial)
        public void setUp() {
            long now = System.nanoTime();
            wheel = AgronaWheels.forChurn(liveTimers, now);
            SplittableRandom random = Delays.setupRandom();
            for (int i = 0; i < liveTimers; i++) {
                wheel.scheduleTimer(now + Delays.setupDelay(random));
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            if (wheel.timerCount() != liveTimers) {
                throw new IllegalStateException("live timers drifted: " + wheel.timerCount());
            }
        }
    }

    @Benchmark
    public boolean agronaWheel(AgronaWheel s) {
        DeadlineTimerWheel wheel = s.wheel;
        long[] batch = s.batch;
        Delays delays = s.delays;
        long now = System.nanoTime(); // one reading per batch, as looptimerAt
        for (int i = 0; i < BATCH; i++) {
            batch[i] = wheel.scheduleTimer(now + delays.next());
        }
        boolean all = true;
        for (int i = 0; i < BATCH; i++) {
            all &= wheel.cancelTimer(batch[i]);
        }
        return all;
    }
}
