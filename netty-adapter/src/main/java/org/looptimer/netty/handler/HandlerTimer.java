package org.looptimer.netty.handler;

import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.RejectedExecutionException;
import org.looptimer.core.TimerHandle;
import org.looptimer.netty.LoopTimers;
import org.looptimer.netty.TimerEventLoop;

/**
 * A one-shot timer that a handler arms, and re-arms from its own callback, by absolute deadline on
 * its channel's executor. The first arming creates a {@link TimerHandle} with
 * {@link LoopTimers#scheduleAt}, and every later one re-arms that handle with
 * {@link TimerHandle#resetAt}: in place, with no allocation and no clock read, in the loop's heap
 * on a {@link TimerEventLoop}; through the executor's own {@code schedule} anywhere else (a stock
 * loop, {@code EmbeddedChannel}), with the same semantics.
 *
 * <p>A handle belongs to the executor it was made on, so when the channel moves to another loop the
 * handler {@link #park}s the timer on the old loop and {@link #resume}s it on the new one, at the
 * deadline it had.
 *
 * <p>Threads: the executor it is bound to, its channel's, only; plain fields, handed from loop to
 * loop as {@link TimedChannelHandler} describes.
 */
final class HandlerTimer {

    /**
     * How a timer's first arming on an executor makes its handle: {@link #LOOP_TIMERS}, or, through
     * {@link TimedChannelHandler}'s test seam, a heap on fake time.
     */
    @FunctionalInterface
    interface Scheduler {
        TimerHandle scheduleAt(EventExecutor executor, Runnable task, long deadlineNanos);
    }

    /** The executor's own timers: its loop heap, or its {@code schedule} elsewhere. */
    static final Scheduler LOOP_TIMERS = LoopTimers::scheduleAt;

    private final Runnable task;
    private final Scheduler scheduler;

    private EventExecutor executor;
    /** Made on {@link #executor} at the first arming there; null before it. */
    private TimerHandle handle;
    /** The deadline of the last arming, in the ticker domain of {@link #executor}. */
    private long deadline;
    /** Whether it was pending when parked: {@link #resume} re-arms it. */
    private boolean parkedPending;

    HandlerTimer(Runnable task, Scheduler scheduler) {
        this.task = task;
        this.scheduler = scheduler;
    }

    /**
     * Binds it to {@code executor}, its channel's, before it is armed there; forgets what it was
     * doing when parked, if it was.
     */
    void bind(EventExecutor executor) {
        this.executor = executor;
        parkedPending = false;
    }

    /**
     * Runs the task at {@code deadlineNanos}, a reading of the executor's ticker, replacing any
     * pending arming. On a loop that is shutting down, whose heap is closed, it arms nothing, as
     * Netty's own in-loop {@code schedule} returns a cancelled future there instead of throwing:
     * the timer would die with the loop anyway.
     *
     * @throws RejectedExecutionException if the loop's heap is full ({@code maxTimers}) while the
     *     loop runs: that is the user's to know about
     */
    void armAt(long deadlineNanos) {
        deadline = deadlineNanos;
        try {
            if (handle == null) {
                handle = scheduler.scheduleAt(executor, task, deadlineNanos);
            } else {
                handle.resetAt(deadlineNanos);
            }
        } catch (RejectedExecutionException rejected) {
            if (!executor.isShuttingDown()) {
                throw rejected;
            }
        }
    }

    /** Disarms it; a later {@link #armAt} works again. */
    void stop() {
        if (handle != null) {
            handle.stop();
        }
    }

    /**
     * Disarms it and lets go of its handle, which stays with this executor: its channel is leaving.
     * Remembers whether it was pending, for {@link #resume}.
     */
    void park() {
        TimerHandle h = handle;
        handle = null;
        parkedPending = h != null && h.stop();
    }

    /**
     * Binds it to {@code executor}, its channel's new one, and re-arms it there at the deadline it
     * had if it was pending when parked: the time that remained, not a fresh period. The caller
     * makes sure that deadline means the same instant on the new executor's ticker.
     */
    void resume(EventExecutor executor) {
        boolean wasPending = parkedPending;
        bind(executor);
        if (wasPending) {
            armAt(deadline);
        }
    }
}
