package org.looptimer.bench.netty;

import io.netty.channel.EventLoop;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs one fixed task on an event loop and waits for it, allocating nothing per run: the
 * hand-off a benchmark uses to measure work done <em>inside</em> the loop (where {@code schedule}
 * and {@code cancel} take the owner's path) from the JMH thread.
 *
 * <p>The hand-off itself (the loop's wake-up by {@code execute} and the benchmark thread's
 * unpark) is part of every invocation; {@code InLoopScheduleCancelBenchmark.handoff} measures it
 * alone so it can be subtracted.
 *
 * <p>Threads: {@link #runAndWait()} on one waiting thread at a time (the benchmark thread);
 * {@link #run()} on the loop, called by the loop only.
 */
final class LoopBatch implements Runnable {

    private final EventLoop loop;
    private final Runnable body;

    /** Written before execute(), whose queue offer publishes it to the loop. */
    private Thread waiter;
    /** Written by the loop before the volatile store to done, read by the waiter after reading it. */
    private Throwable failure;
    /** Volatile: the loop's release of the body's effects and of failure to the waiter. */
    private volatile boolean done;

    LoopBatch(EventLoop loop, Runnable body) {
        this.loop = Objects.requireNonNull(loop, "loop");
        this.body = Objects.requireNonNull(body, "body");
    }

    /** Benchmark thread: runs the body on the loop and returns once it has finished there. */
    void runAndWait() {
        waiter = Thread.currentThread();
        failure = null;
        done = false;
        loop.execute(this);
        while (!done) {
            LockSupport.park(this); // unpark is sticky: a completion before the park is not lost
        }
        Throwable f = failure;
        if (f != null) {
            throw new IllegalStateException("the batch failed on the loop", f);
        }
    }

    /** The loop: runs the body and releases the waiter. */
    @Override
    public void run() {
        try {
            body.run();
        } catch (Throwable t) {
            failure = t;
        }
        done = true;
        LockSupport.unpark(waiter);
    }
}
