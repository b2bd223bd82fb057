package org.looptimer.bench.netty;

import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.looptimer.core.TimerStats;
import org.looptimer.netty.TimerEventLoop;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.infra.ThreadParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * {@code EventLoop.schedule} from 1 and 2 threads that are not the loop, onto a loop that sleeps
 * toward an earlier deadline: what a cross-thread timer costs the caller, and how often it wakes
 * the loop. Stock Netty 4.2.18 against {@code TimerEventLoopGroup}, one loop each, same transport.
 *
 * <h2>The scene</h2>
 *
 * <p>The loop has one timer of its own, a 50 ms fixed-rate tick: it sleeps toward the next tick,
 * and each tick's pass also drains what other threads handed it, so nothing piles up for long.
 * (Not 1 ms: NIO rounds its select timeout to milliseconds and polls without blocking in the last
 * half millisecond before a deadline, so a 1 ms tick keeps any NIO loop spinning half the time,
 * and polls would no longer show wake-ups.)
 * Each benchmark thread schedules tasks 2 h out (plus up to a minute of seeded jitter): always
 * later than the deadline the loop sleeps toward, so no schedule ever needs to wake it. To keep
 * memory flat each thread keeps its last {@value #IN_FLIGHT} futures in a ring and cancels the
 * one it overwrites: one op = one foreign {@code schedule} + one foreign {@code cancel} (Netty's
 * foreign cancel is a lazy task and wakes nobody, looptimer's is a CAS, so a wake-up can only come
 * from the schedule).
 *
 * <h2>What is reported</h2>
 *
 * <p>The JMH score is ns per op per thread (aggregate throughput = threads / score). Wake-ups
 * are counted by {@link CountingIoHandlerFactory}, which wraps the transport's factory for both
 * loops and counts every {@code IoHandler.wakeup()} call and every poll; for looptimer the heap's
 * own {@code wakeupsRequested}/{@code wakeupsElided} are reported too. After every iteration a
 * line starting with {@code [netty-wakeups]} is printed, and at the end of the trial a
 * {@code [netty-wakeups] TOTAL} line over the measurement iterations. Target: 0 wake-ups per op
 * for looptimer.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"})
public class ForeignScheduleBenchmark {

    /** Futures each benchmark thread keeps pending; a power of two, the ring index is masked. */
    static final int IN_FLIGHT = 1024;

    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long TWO_HOURS_NANOS = TimeUnit.HOURS.toNanos(2);
    // A shared no-op task: a constant reads better than a method reference at each call site.
    @SuppressWarnings("UnnecessaryLambda")
    private static final Runnable NOOP = () -> {};

    @Param({Loops.NETTY, Loops.LOOPTIMER})
    String impl;

    @Param({"nio"})
    String transport;

    private MultiThreadIoEventLoopGroup group;
    private EventLoop loop;
    private CountingIoHandlerFactory counting;
    private ScheduledFuture<?> tick;
    private final ConcurrentLinkedQueue<Sender> senders = new ConcurrentLinkedQueue<>();

    // --- the thread running Benchmark-scoped fixtures (one at a time, JMH orders them) ---
    private Snapshot last;
    private long measuredOps;
    private long measuredWakeups;
    private long measuredPolls;
    private long measuredHeapRequested;
    private long measuredHeapElided;

    // The loop arms the tick itself; the outer future only hands the tick back to this thread.
    @SuppressWarnings("FutureReturnValueIgnored")
    @Setup(Level.Trial)
    public void setUp() throws Exception {
        counting = new CountingIoHandlerFactory(Transport.named(transport).newFactory());
        group = Loops.newGroup(impl, counting);
        loop = group.next();
        tick = loop.submit(() -> loop.scheduleAtFixedRate(NOOP, TICK_NANOS, TICK_NANOS, TimeUnit.NANOSECONDS))
                .get(10, TimeUnit.SECONDS);
        Loops.settle(200); // let the loop fall into its tick rhythm before counting starts
        last = snapshot();
    }

    @TearDown(Level.Iteration)
    public void afterIteration(IterationParams iteration, BenchmarkParams benchmark) {
        Snapshot now = snapshot();
        Snapshot d = now.minus(last);
        last = now;
        boolean measured = iteration.getType() == IterationType.MEASUREMENT;
        if (measured) {
            measuredOps += d.ops;
            measuredWakeups += d.wakeups;
            measuredPolls += d.polls;
            measuredHeapRequested += d.heapRequested;
            measuredHeapElided += d.heapElided;
        }
        System.out.println(line(
                measured ? "measurement" : "warmup",
                benchmark.getThreads(),
                d.ops,
                d.wakeups,
                d.polls,
                d.heapRequested,
                d.heapElided));
    }

    @TearDown(Level.Trial)
    public void tearDown(BenchmarkParams benchmark) {
        System.out.println(line(
                "TOTAL",
                benchmark.getThreads(),
                measuredOps,
                measuredWakeups,
                measuredPolls,
                measuredHeapRequested,
                measuredHeapElided));
        senders.forEach(Sender::cancelAll); // every sender is done: JMH's pre-teardown barrier
        tick.cancel(false);
        Loops.shutdown(group);
    }

    private String line(String what, int threads, long ops, long wakeups, long polls, long requested, long elided) {
        String heap = loop instanceof TimerEventLoop
                ? String.format(Locale.ROOT, " heap.wakeupsRequested=%d heap.wakeupsElided=%d", requested, elided)
                : "";
        return String.format(
                Locale.ROOT,
                "[netty-wakeups] %s impl=%s transport=%s threads=%d ops=%d wakeup()=%d wakeupsPerOp=%.6f"
                        + " polls=%d pollsPerOp=%.6f%s",
                what,
                impl,
                transport,
                threads,
                ops,
                wakeups,
                per(wakeups, ops),
                polls,
                per(polls, ops),
                heap);
    }

    private static double per(long count, long ops) {
        return ops == 0 ? Double.NaN : (double) count / ops;
    }

    private Snapshot snapshot() {
        long ops = 0;
        for (Sender s : senders) {
            // Plain read: every sender finished its iteration and passed JMH's pre-teardown
            // latch (a CountDownLatch, so a happens-before edge) before this fixture runs.
            ops += s.ops;
        }
        long requested = 0;
        long elided = 0;
        if (loop instanceof TimerEventLoop timerLoop) {
            TimerStats stats = timerLoop.timers().stats();
            requested = stats.wakeupsRequested();
            elided = stats.wakeupsElided();
        }
        return new Snapshot(ops, counting.wakeups(), counting.polls(), requested, elided);
    }

    private record Snapshot(long ops, long wakeups, long polls, long heapRequested, long heapElided) {
        Snapshot minus(Snapshot o) {
            return new Snapshot(
                    ops - o.ops,
                    wakeups - o.wakeups,
                    polls - o.polls,
                    heapRequested - o.heapRequested,
                    heapElided - o.heapElided);
        }
    }

    /** One benchmark thread: its ring of pending futures and its precomputed delays. */
    @State(Scope.Thread)
    public static class Sender {
        private final ScheduledFuture<?>[] ring = new ScheduledFuture<?>[IN_FLIGHT];
        private long[] delays;
        private int next;
        /** This thread's ops; read by the fixture thread after the iteration (see snapshot()). */
        long ops;

        @Setup(Level.Trial)
        public void setUp(ForeignScheduleBenchmark bench, ThreadParams thread) {
            delays = FarDelays.uniform(
                    IN_FLIGHT, TWO_HOURS_NANOS, TimeUnit.MINUTES.toNanos(1), 7 + thread.getThreadIndex());
            bench.senders.add(this);
        }

        /**
         * Cancels what this sender left pending. Called by the benchmark's trial teardown before
         * the loop shuts down: a stock loop rejects the lazy removal task of a cancel that comes
         * after it terminated.
         */
        void cancelAll() {
            for (ScheduledFuture<?> f : ring) {
                if (f != null) {
                    f.cancel(false);
                }
            }
        }

        boolean scheduleOne(EventLoop loop) {
            int i = next;
            next = (i + 1) & (IN_FLIGHT - 1);
            ScheduledFuture<?> old = ring[i];
            boolean cancelled = old != null && old.cancel(false);
            ring[i] = loop.schedule(NOOP, delays[i], TimeUnit.NANOSECONDS);
            ops++;
            return cancelled;
        }
    }

    /** One foreign schedule (+ the cancel of a future {@value #IN_FLIGHT} ops old), one thread. */
    @Benchmark
    @Threads(1)
    public boolean schedule1Thread(Sender sender) {
        return sender.scheduleOne(loop);
    }

    /** As {@link #schedule1Thread}, from two threads at once onto the same loop. */
    @Benchmark
    @Threads(2)
    public boolean schedule2Threads(Sender sender) {
        return sender.scheduleOne(loop);
    }
}
