package org.looptimer.bench.go;

import io.netty.channel.EventLoop;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The body of one {@code BenchmarkStaggeredTickerLatency} sub-benchmark: {@code count} tickers of
 * one period, started {@code period / loops} apart; each tick records how late it came against
 * its own schedule (first deadline plus whole periods), then works for {@code work} nanoseconds,
 * as Go's receiving goroutine does. Ticker {@code j} lives on loop {@code j % loops}.
 *
 * <p>Threads: {@link #run} on the driver; the ticks on the loops.
 */
final class StaggeredTickers {

    final int count;
    private final Way way;
    private final EventLoop[] loops;
    private final long period;
    private final long work;
    private final Runnable[] ticks;
    /** Ticker j's state, touched only by its loop once it is armed (the arming publishes it). */
    private final long[] expected;

    private final int[] left;
    /** Each ticker's handle, set by the driver after arming, read by the ticker's last tick. */
    private AtomicReferenceArray<Object> handles;

    private LatencyStats stats;
    private CountDownLatch done;

    StaggeredTickers(Way way, EventLoop[] loops, int count, long period, long work) {
        this.way = way;
        this.loops = loops;
        this.count = count;
        this.period = period;
        this.work = work;
        this.expected = new long[count];
        this.left = new int[count];
        this.ticks = new Runnable[count];
        for (int j = 0; j < count; j++) {
            int index = j;
            ticks[j] = () -> tick(index);
        }
    }

    /** Driver: every ticker ticks {@code n} times, lateness into {@code into}; returns when all stopped. */
    void run(int n, LatencyStats into) throws InterruptedException {
        stats = into;
        done = new CountDownLatch(count);
        handles = new AtomicReferenceArray<>(count);
        for (int j = 0; j < count; j++) {
            GoSuite.doWork(period / loops.length);
            left[j] = n;
            expected[j] = System.nanoTime() + period;
            handles.set(j, way.ticker(loops[j % loops.length], ticks[j], period));
        }
        long bound = TimeUnit.NANOSECONDS.toMinutes(period * n) + 1;
        if (!done.await(bound * 10, TimeUnit.MINUTES)) {
            throw new IllegalStateException("tickers did not finish");
        }
    }

    private void tick(int j) {
        if (left[j] <= 0) {
            return; // a tick that raced the stop below
        }
        stats.record(j, System.nanoTime() - expected[j]);
        expected[j] += period;
        GoSuite.doWork(work);
        if (--left[j] == 0) {
            Object handle;
            while ((handle = handles.get(j)) == null) {
                Thread.onSpinWait(); // the driver has not stored it yet: n ticks take far longer
            }
            way.stop(handle);
            done.countDown();
        }
    }
}
