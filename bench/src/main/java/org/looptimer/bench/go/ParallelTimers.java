package org.looptimer.bench.go;

import io.netty.channel.EventLoop;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The body of Go's {@code BenchmarkParallelTimerLatency}: the driver thread arms one 1 ms timer
 * per loop but one and spins until all have run; each callback records its lateness, then spins
 * until all have run too; the driver then works for 1 ms before the next round.
 *
 * <p>Go arms every timer on the busy goroutine's own P and lets idle Ps steal them; a loop owns
 * its timers, so timer {@code j} goes to loop {@code j}: a callback that spins never blocks
 * another timer.
 *
 * <p>Threads: {@link #run} on the driver; the callbacks on the loops.
 */
final class ParallelTimers {

    private static final long DELAY = TimeUnit.MILLISECONDS.toNanos(1);

    private final Way way;
    private final EventLoop[] loops;
    private final int timerCount;
    private final Runnable[] callbacks;
    /** Written by the driver before arming timer j; the arming's hand-over publishes it. */
    private final long[] expected;
    /** Runs in this round; its increment releases the stats a callback wrote, its read acquires them. */
    private final AtomicInteger fired = new AtomicInteger();

    private LatencyStats stats;

    ParallelTimers(Way way, EventLoop[] loops, int timerCount) {
        this.way = way;
        this.loops = loops;
        this.timerCount = timerCount;
        this.expected = new long[timerCount];
        this.callbacks = new Runnable[timerCount];
        for (int j = 0; j < timerCount; j++) {
            int index = j;
            callbacks[j] = () -> fire(index);
        }
    }

    /** Driver: {@code ops} rounds, lateness into {@code into}. */
    void run(int ops, LatencyStats into) {
        this.stats = into;
        for (int i = 0; i < ops; i++) {
            fired.set(0);
            for (int j = 0; j < timerCount; j++) {
                expected[j] = System.nanoTime() + DELAY;
                way.start(loops[j % loops.length], callbacks[j], DELAY);
            }
            while (fired.get() < timerCount) {
                Thread.onSpinWait(); // Go: spin until all timers fired
            }
            GoSuite.doWork(DELAY); // Go: let the other threads go idle before the next round
        }
    }

    private void fire(int j) {
        stats.record(j, System.nanoTime() - expected[j]);
        fired.incrementAndGet();
        while (fired.get() < timerCount) {
            Thread.onSpinWait();
        }
    }
}
