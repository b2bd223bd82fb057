package org.looptimer.bench.leaks;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.looptimer.bench.fixture.Delays;
import org.looptimer.core.LeakDetection;
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
 * What leak detection costs a schedule + stop pair on the owner thread, per mode: {@code DISABLED}
 * (the handle is the heap's entry; one null check), {@code SAMPLED} (a random draw per schedule,
 * and for one in 128 a stack walk, a wrapper handle and a cleaner registration) and {@code ALL}
 * (all of that every time). The shape of {@code ChurnBenchmark.looptimerAt}: 1000 {@code scheduleAt}
 * then 1000 {@code stop} per invocation, 10,000 idle timers, no clock read.
 *
 * <pre>
 * java -jar bench/target/benchmarks.jar LeakDetectionBenchmark -prof gc -f 1 -wi 3 -w 1 -i 5 -r 1
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@OperationsPerInvocation(LeakDetectionBenchmark.BATCH)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-XX:+UseG1GC"})
public class LeakDetectionBenchmark {

    static final int BATCH = 1000;
    static final Runnable NOOP = () -> {};

    @Param({"DISABLED", "SAMPLED", "ALL"})
    LeakDetection leakDetection;

    @Param({"10000"})
    int liveTimers;

    private TimerHeap heap;
    private final TimerHandle[] batch = new TimerHandle[BATCH];
    private final Delays delays = new Delays();

    @Setup(Level.Trial)
    public void setUp() {
        heap = TimerHeap.builder().leakDetection(leakDetection).build(); // owner: the benchmark thread
        SplittableRandom random = Delays.setupRandom();
        for (int i = 0; i < liveTimers; i++) {
            heap.schedule(NOOP, Delays.setupDelay(random), TimeUnit.NANOSECONDS);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        heap.close();
    }

    @Benchmark
    public boolean scheduleAtStop() {
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
}
