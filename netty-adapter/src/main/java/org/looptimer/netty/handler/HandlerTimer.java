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
 * <p>Threads: the executor it is bound to, its channel's, only.
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

    HandlerTimer(Runnable task, Scheduler scheduler) {
        this.task = task;
        this.scheduler = scheduler;
    }

    /** Binds it to {@code executor}, its channel's, before it is armed there. */
    void bind(EventExecutor executor) {
        this.executor = executor;
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
}
