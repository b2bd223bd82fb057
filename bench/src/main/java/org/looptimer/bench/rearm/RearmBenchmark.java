package org.looptimer.bench.rearm;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.looptimer.bench.fixture.BenchmarkThread;
import org.looptimer.bench.fixture.Delays;
import org.looptimer.bench.fixture.LiveTimers;
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
 * Re-arm: {@link TimerHandle#resetAt} on the owner thread with {@code liveTimers} idle timers in
 * the heap, the cost of an idle timeout re-armed on every read. The deadlines come from one
 * {@code System.nanoTime()} per batch, as a handler that already read the clock for the read it
 * records would pass them; {@code laterRearmHotReset} is {@link TimerHandle#reset}, which reads the
 * clock on every call. Each invocation does {@value #BATCH} operations; one operation is one re-arm
 * (or one stop + re-arm).
 *
 * <ul>
 *   <li>{@code laterRearmHot}: re-arms one timer again and again, each time to a deadline one
 *       nanosecond later than the last, as a connection that keeps reading pushes its idle
 *       timeout out. The timer and its heap slot stay in cache, as a connection's state does
 *       right after its read. This is the lazy path: only the timer's word and its slot's
 *       sequence change; the entry moves when it reaches the top, once per timeout period, a cost
 *       this benchmark (where nothing reaches the top) does not charge.
 *   <li>{@code laterRearmSpread}: the same re-arm, but of every live timer in turn, in a random
 *       order: at 1M each re-arm misses the cache for the timer and its slot. The memory system's
 *       price, shown for honesty, not the target.
 *   <li>{@code laterRearmHotReset}: {@code laterRearmHot} through {@code reset(delay)}: the same
 *       lazy path plus one clock read per re-arm.
 *   <li>{@code stopReset}: {@code stop()} then {@code resetAt()} of one timer to a random delay in
 *       [1 h, 2 h): the owner removes the entry at once and re-inserts it; no allocation.
 * </ul>
 *
 * <p>Run with {@code -prof gc}: every row must show 0 B/op.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@OperationsPerInvocation(RearmBenchmark.BATCH)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch", "-XX:+UseG1GC"})
public class RearmBenchmark {

    public static final int BATCH = 1000;

    static final Runnable NOOP = () -> {};

    @State(Scope.Thread)
    public static class Heap {
        @Param({"10000", "1000000"})
        int liveTimers;

        TimerHeap heap;
        /** Every live timer, in a random order. */
        TimerHandle[] handles;

        TimerHandle hot;
        final Delays delays = new Delays();
        /** Next delay for the later re-arms; only grows, so every re-arm is later than the last. */
        long laterDelay = Delays.MAX_NANOS;

        int spreadNext;
        BenchmarkThread thread;

        @Setup(Level.Trial)
        public void setUp() {
            thread = new BenchmarkThread();
            heap = TimerHeap.builder().build();
            SplittableRandom random = Delays.setupRandom();
            handles = new TimerHandle[liveTimers];
            for (int i = 0; i < liveTimers; i++) {
                handles[i] = heap.schedule(NOOP, Delays.setupDelay(random), TimeUnit.NANOSECONDS);
            }
            for (int i = liveTimers - 1; i > 0; i--) { // Fisher-Yates with the seeded source
                int j = random.nextInt(i + 1);
                TimerHandle t = handles[i];
                handles[i] = handles[j];
                handles[j] = t;
            }
            hot = handles[liveTimers / 2];
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
    public int laterRearmHot(Heap s) {
        TimerHandle hot = s.hot;
        long delay = s.laterDelay;
        long now = System.nanoTime(); // one reading per batch, as in churn's looptimerAt
        int wasPending = 0;
        for (int i = 0; i < BATCH; i++) {
            if (hot.resetAt(now + delay++)) {
                wasPending++;
            }
        }
        s.laterDelay = delay;
        return wasPending;
    }

    @Benchmark
    public int laterRearmHotReset(Heap s) {
        TimerHandle hot = s.hot;
        long delay = s.laterDelay;
        int wasPending = 0;
        for (int i = 0; i < BATCH; i++) {
            if (hot.reset(delay++, TimeUnit.NANOSECONDS)) { // reads the clock: later every time
                wasPending++;
            }
        }
        s.laterDelay = delay;
        return wasPending;
    }

    @Benchmark
    public int laterRearmSpread(Heap s) {
        TimerHandle[] handles = s.handles;
        int n = handles.length;
        int next = s.spreadNext;
        long deadline = System.nanoTime() + s.laterDelay++; // later than every earlier batch's
        int wasPending = 0;
        for (int i = 0; i < BATCH; i++) {
            if (handles[next].resetAt(deadline)) {
                wasPending++;
            }
            if (++next == n) {
                next = 0;
            }
        }
        s.spreadNext = next;
        return wasPending;
    }

    @Benchmark
    public int stopReset(Heap s) {
        TimerHandle hot = s.hot;
        Delays delays = s.delays;
        long now = System.nanoTime();
        int stopped = 0;
        for (int i = 0; i < BATCH; i++) {
            if (hot.stop()) {
                stopped++;
            }
            hot.resetAt(now + delays.next());
        }
        return stopped;
    }
}
