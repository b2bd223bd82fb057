package org.looptimer.netty.handler;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.looptimer.core.TimerHandle;
import org.looptimer.core.Timers;
import org.looptimer.netty.TimerEventLoop;

/**
 * A one-shot timer that a handler arms, and re-arms from its own callback, on its executor: a
 * {@link TimerHandle} in the loop's heap on a {@link TimerEventLoop}, re-armed in place with no
 * allocation; {@code executor.schedule} anywhere else (a stock loop, {@code EmbeddedChannel}),
 * which allocates a Netty task per arming, exactly as Netty's own handlers do.
 *
 * <p>Threads: the handler's executor only (the owner of the heap on a {@link TimerEventLoop}).
 */
final class HandlerTimer {

    private final EventExecutor executor;
    private final Timers heap;
    private final Runnable task;

    private TimerHandle handle;
    private Future<?> future;

    /**
     * @param heap the executor's heap, or null to use {@code executor.schedule}
     */
    HandlerTimer(EventExecutor executor, Timers heap, Runnable task) {
        this.executor = executor;
        this.heap = heap;
        this.task = task;
    }

    /** The heap of {@code executor} if it is a {@link TimerEventLoop}, else null. */
    static Timers heapOf(EventExecutor executor) {
        return executor instanceof TimerEventLoop ? ((TimerEventLoop) executor).timers() : null;
    }

    /**
     * Runs the task {@code delayNanos} from now, replacing any pending arming. On a loop that is
     * shutting down and has closed its heap it arms nothing, as Netty's own in-loop
     * {@code schedule} returns a cancelled future there instead of throwing: the timer would die
     * with the loop anyway.
     */
    void arm(long delayNanos) {
        if (heap != null) {
            try {
                if (handle == null) {
                    handle = heap.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
                } else {
                    handle.reset(delayNanos, TimeUnit.NANOSECONDS);
                }
            } catch (RejectedExecutionException rejected) {
                if (!heap.isClosed()) {
                    throw rejected; // a full heap (maxTimers) is the user's to know about
                }
            }
        } else {
            Future<?> previous = future;
            if (previous != null && !previous.isDone()) {
                previous.cancel(false);
            }
            future = executor.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
        }
    }

    /** Disarms it; a later {@link #arm} works again. */
    void cancel() {
        if (handle != null) {
            handle.stop();
        }
        Future<?> f = future;
        if (f != null) {
            future = null;
            f.cancel(false);
        }
    }
}
