package org.looptimer.bench.go;

import io.netty.channel.EventLoop;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One loop's share of a Go {@code benchmark()} run, the way a goroutine of Go's
 * {@code b.RunParallel} runs on one P: it takes operations from the shared count and runs
 * {@code bench(1000)} for each, back to back, on its own loop. The next operation starts on the
 * loop as soon as the last one finished, with no hand-off to another thread, as a goroutine calls
 * {@code pb.Next()} and goes on.
 *
 * <p>Threads: {@link #begin} from the driver thread; everything else on the loop only, so the
 * per-operation fields are plain.
 */
final class Worker {

    static final long HOUR = TimeUnit.HOURS.toNanos(1);
    static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    static final int N = 1000;
    // A shared no-op task, Go's nil func: a constant reads better than a method reference at each call site.
    @SuppressWarnings("UnnecessaryLambda")
    static final Runnable NOOP = () -> {};

    final Way way;
    final EventLoop loop;
    /** StartStop's timers, reused: Go allocates the slice per op, we keep allocation out of the timing. */
    final Object[] slots = new Object[N];
    /** Loop only: AfterFunc's links still to arm, or SimultaneousAfterFunc's runs still to come. */
    int remaining;

    final Runnable chainLink = this::chainLink;
    final Runnable countDown = this::countDown;
    private final Runnable nextOp = this::nextOp;

    private ParallelBench bench;
    private AtomicLong opsLeft;
    private CountDownLatch allDone;
    /** Loop only: operations this worker completed in the current run. */
    long completed;

    Worker(Way way, EventLoop loop) {
        this.way = way;
        this.loop = loop;
    }

    /** Driver thread: starts taking operations; {@code done} counts down when none are left. */
    void begin(ParallelBench bench, AtomicLong opsLeft, CountDownLatch done) {
        // Written before execute(), whose task-queue offer publishes them to the loop.
        this.bench = bench;
        this.opsLeft = opsLeft;
        this.allDone = done;
        this.completed = 0;
        loop.execute(nextOp);
    }

    /** Loop: the current bench(n) is over; take the next operation, if any. */
    void finished() {
        completed++;
        // execute() from the loop only queues: the next op runs on the loop's next task pass, as
        // pb.Next() returns to the same goroutine.
        loop.execute(nextOp);
    }

    private void nextOp() {
        // getAndDecrement is the only cross-thread state: the loops share the op count as Go's
        // RunParallel goroutines share b.N.
        if (opsLeft.getAndDecrement() > 0) {
            bench.run(this, N);
        } else {
            allDone.countDown();
        }
    }

    private void chainLink() {
        remaining--;
        if (remaining >= 0) {
            way.start(loop, chainLink, 0);
        } else {
            finished();
        }
    }

    private void countDown() {
        if (--remaining == 0) {
            finished();
        }
    }
}
