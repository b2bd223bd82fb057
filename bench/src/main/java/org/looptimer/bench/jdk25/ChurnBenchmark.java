package org.looptimer.bench.jdk25;

import java.util.SplittableRandom;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.looptimer.bench.fixture.Delays;
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
 * The churn suite's JDK 25 peer: JDK 25's {@code ForkJoinPool}, which implements
 * {@link ScheduledExecutorService} from that release on, doing exactly what
 * {@code org.looptimer.bench.churn.ChurnBenchmark.jdkScheduledPool} does (1000 schedules, then
 * 1000 cancels, with {@code liveTimers} idle timers pending). Its report rows join the churn suite
 * (suite {@code churn}, peer {@code jdk25ForkJoinPool}).
 *
 * <p>It lives apart because it runs on a JDK 25 only: the bench module compiles for Java 17, where
 * the pool is no {@code ScheduledExecutorService}, so the pool is reached through that interface
 * at run time, and {@code bench/run} starts this class with a JDK 25 ({@code JDK25_HOME}, else
 * {@code /usr/lib/jvm/*25*}) or reports it skipped. On an older JDK its setup fails with the reason.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@OperationsPerInvocation(ChurnBenchmark.BATCH)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-XX:+UseG1GC"})
public class ChurnBenchmark {

    /** Pairs per invocation, as in the churn suite. */
    public static final int BATCH = 1000;

    // A shared no-op task: a constant reads better than a method reference at each call site.
    @SuppressWarnings("UnnecessaryLambda")
    static final Runnable NOOP = () -> {};

    @Param({"10000", "1000000"})
    int liveTimers;

    ForkJoinPool forkJoinPool;
    ScheduledExecutorService pool;
    final ScheduledFuture<?>[] batch = new ScheduledFuture<?>[BATCH];
    final Delays delays = new Delays();

    // Background timers: they stay armed all trial, never awaited or cancelled.
    @SuppressWarnings("FutureReturnValueIgnored")
    @Setup(Level.Trial)
    public void setUp() {
        forkJoinPool =
                new ForkJoinPool(1, p -> ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p), null, false);
        Object asObject = forkJoinPool;
        if (!(asObject instanceof ScheduledExecutorService scheduled)) {
            throw new IllegalStateException("ForkJoinPool implements ScheduledExecutorService from JDK 25 on;"
                    + " this is Java " + Runtime.version().feature() + ": run this benchmark on a JDK 25");
        }
        pool = scheduled;
        SplittableRandom random = Delays.setupRandom();
        for (int i = 0; i < liveTimers; i++) {
            pool.schedule(NOOP, Delays.setupDelay(random), TimeUnit.NANOSECONDS);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        forkJoinPool.shutdownNow();
    }

    @Benchmark
    public boolean jdk25ForkJoinPool() {
        ScheduledExecutorService pool = this.pool;
        ScheduledFuture<?>[] batch = this.batch;
        Delays delays = this.delays;
        for (int i = 0; i < BATCH; i++) {
            batch[i] = pool.schedule(NOOP, delays.next(), TimeUnit.NANOSECONDS);
        }
        boolean all = true;
        for (int i = 0; i < BATCH; i++) {
            all &= batch[i].cancel(false);
        }
        return all;
    }
}
