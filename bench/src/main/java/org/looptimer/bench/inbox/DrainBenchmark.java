package org.looptimer.bench.inbox;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.looptimer.bench.fixture.BenchmarkThread;
import org.looptimer.bench.fixture.DaemonThreads;
import org.looptimer.core.TimerHeap;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The owner's half of a foreign {@code schedule} + {@code stop}: draining the timers another
 * thread handed over and then stopped, the request timeouts a worker pool arms on a loop and
 * cancels once the reply is written. ns per drained timer.
 *
 * <p>Before each invocation a producer thread schedules {@value #TIMERS} timers an hour out and
 * stops each at once; the invocation is the owner's {@code beforePoll()}, which drains them all.
 * The producer wrote each timer's word last, so the owner reads it from another core's cache, as a
 * loop does. Fewer than the inbox's wake-up backlog, so the producer never wakes anybody (the heap
 * has no waker anyway).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@OperationsPerInvocation(DrainBenchmark.TIMERS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(
        value = 3,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
public class DrainBenchmark {

    /** Timers handed over per invocation. */
    static final int TIMERS = 32 * 1024;

    // A shared no-op task: a constant reads better than a method reference at each call site.
    @SuppressWarnings("UnnecessaryLambda")
    private static final Runnable NOOP = () -> {};

    private TimerHeap heap;
    private BenchmarkThread owner;
    private ExecutorService producer;

    @Setup(Level.Trial)
    public void setUp() {
        owner = new BenchmarkThread();
        heap = TimerHeap.builder().build(); // owned by this benchmark thread
        producer = Executors.newSingleThreadExecutor(new DaemonThreads("drain-producer"));
    }

    @Setup(Level.Invocation)
    public void handOverStoppedTimers() throws InterruptedException, ExecutionException {
        producer.submit(() -> {
                    for (int i = 0; i < TIMERS; i++) {
                        heap.schedule(NOOP, 1, TimeUnit.HOURS).stop();
                    }
                })
                .get();
    }

    @Benchmark
    public long drainStopped() {
        owner.check();
        long deadline = heap.beforePoll();
        heap.afterPoll();
        return deadline;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        producer.shutdownNow();
        heap.close();
    }
}
