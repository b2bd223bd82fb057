package org.looptimer.netty;

import io.netty.util.concurrent.DefaultPromise;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.looptimer.core.Deadlines;
import org.looptimer.core.TimerHandle;

/**
 * The {@link ScheduledFuture} of a task scheduled on a {@link TimerEventLoop}: a Netty promise
 * (listeners, {@code await}, {@code cancel}) whose task is a timer in the loop's heap. The future is
 * itself the timer's callback.
 *
 * <p>Periodic tasks follow the JDK contract with one-shot timers that the future re-arms after each
 * run: fixed rate re-arms to the previous deadline plus the period (a late run is followed by the
 * runs it missed, one per pass, as Netty's own loop does); fixed delay re-arms one delay after the
 * run ends. A run that throws fails the future and stops the task; cancel stops it too.
 *
 * <p>Threads: {@link #run} on the loop only (the heap calls it); {@link #armed} on the thread that
 * scheduled; everything else, any thread. A foreign {@link #cancel} is one CAS on the promise and
 * one on the timer: it never wakes the loop (listeners, if any, are notified on the loop, which
 * Netty does through {@code execute}).
 */
final class LoopScheduledFuture<V> extends DefaultPromise<V> implements ScheduledFuture<V>, Runnable {

    private static final VarHandle HANDLE;

    static {
        try {
            HANDLE = MethodHandles.lookup().findVarHandle(LoopScheduledFuture.class, "handle", TimerHandle.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final TimerEventLoop loop;
    /** A {@link Runnable} (completes with null) or a {@link Callable}; no adapter object. */
    private final Object task;
    /** Whether {@link #task} is called as a {@link Callable}: an object may be both. */
    private final boolean callable;
    /** 0: one-shot; &gt; 0: fixed rate; &lt; 0: fixed delay, negated (as Netty's ScheduledFutureTask). */
    private final long periodNanos;
    /**
     * The deadline of the next run, in the loop ticker's domain. Volatile: {@link #getDelay} reads
     * it anywhere; the loop writes it before each re-arm.
     */
    private volatile long deadlineNanos;
    /**
     * The timer. Volatile, set by CAS: the scheduling thread stores it after arming, and the loop
     * may run a periodic task before that store lands and must install a timer of its own.
     */
    private volatile TimerHandle handle;

    LoopScheduledFuture(TimerEventLoop loop, Runnable task, long deadlineNanos, long periodNanos) {
        this(loop, task, false, deadlineNanos, periodNanos);
    }

    LoopScheduledFuture(TimerEventLoop loop, Callable<V> task, long deadlineNanos, long periodNanos) {
        this(loop, task, true, deadlineNanos, periodNanos);
    }

    private LoopScheduledFuture(
            TimerEventLoop loop, Object task, boolean callable, long deadlineNanos, long periodNanos) {
        super(loop);
        this.loop = loop;
        this.task = task;
        this.callable = callable;
        this.periodNanos = periodNanos;
        this.deadlineNanos = deadlineNanos;
    }

    /** The scheduling thread: the heap accepted the timer. */
    void armed(TimerHandle h) {
        if (loop.inEventLoop()) {
            // The loop cannot run this task before this returns, so nothing races this store: a
            // release store publishes it to a foreign cancel(), no CAS needed.
            HANDLE.setRelease(this, h);
        } else {
            // CAS: the loop may have run a periodic task first and installed a timer of its own.
            HANDLE.compareAndSet(this, null, h);
        }
    }

    /** The scheduling thread: the heap was full, so the task will never run; fails with why. */
    void rejected(RejectedExecutionException full) {
        super.tryFailure(full);
    }

    /** The loop, for a task it never armed because the loop is shutting down. */
    void cancelUnarmed() {
        super.cancel(false);
    }

    // ------------------------------------------------------------------------------------------
    // The timer callback: loop thread only
    // ------------------------------------------------------------------------------------------

    @Override
    public void run() {
        if (periodNanos == 0) {
            if (super.setUncancellable()) {
                try {
                    super.trySuccess(runTask());
                } catch (Throwable failure) {
                    super.tryFailure(failure);
                }
            }
            return;
        }
        if (isDone()) {
            return; // cancelled while its last re-arm was in flight
        }
        try {
            runTask();
        } catch (Throwable failure) {
            super.tryFailure(failure); // JDK contract: a failed run suppresses all later runs
            return;
        }
        if (!isDone()) {
            rearm();
        }
    }

    @SuppressWarnings("unchecked")
    private V runTask() throws Exception {
        if (callable) {
            return ((Callable<V>) task).call();
        }
        ((Runnable) task).run();
        return null;
    }

    private void rearm() {
        // Fixed rate: one period after the last deadline, no clock read. Fixed delay: one delay
        // after this run ended, from a ticker reading taken now.
        long next = periodNanos > 0
                ? Deadlines.after(deadlineNanos, periodNanos)
                : Deadlines.after(loop.ticker().nanoTime(), -periodNanos);
        deadlineNanos = next;
        try {
            TimerHandle h = handle;
            if (h == null) {
                h = loop.timers().scheduleAt(this, next);
                if (!HANDLE.compareAndSet(this, null, h)) {
                    h.stop(); // the scheduling thread stored its handle meanwhile: re-arm that one
                    h = handle;
                    h.resetAt(next);
                }
            } else {
                h.resetAt(next);
            }
            if (isCancelled()) {
                h.stop(); // a foreign cancel found the timer idle just before this re-arm
            }
        } catch (RejectedExecutionException closedOrFull) {
            super.cancel(false);
        }
    }

    // ------------------------------------------------------------------------------------------
    // Future: any thread
    // ------------------------------------------------------------------------------------------

    /**
     * Cancels the task if it has not run (one-shot) or has not failed (periodic). The timer is
     * stopped lazily: from another thread this is a CAS and never wakes the loop.
     */
    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        if (!super.cancel(mayInterruptIfRunning)) {
            return false;
        }
        TimerHandle h = handle;
        if (h != null) {
            h.stop();
        }
        return true;
    }

    /** The deadline of the next run, in the loop ticker's domain (as Netty's ScheduledFutureTask). */
    long deadlineNanos() {
        return deadlineNanos;
    }

    @Override
    public long getDelay(TimeUnit unit) {
        long deadline = deadlineNanos;
        long delay = deadline == Long.MAX_VALUE
                ? Long.MAX_VALUE
                : deadline - loop.ticker().nanoTime();
        return unit.convert(delay, TimeUnit.NANOSECONDS);
    }

    /** By deadline: earlier first. */
    @Override
    public int compareTo(Delayed o) {
        if (o == this) {
            return 0;
        }
        if (o instanceof LoopScheduledFuture<?> that) {
            return Long.compare(deadlineNanos, that.deadlineNanos);
        }
        return Long.compare(getDelay(TimeUnit.NANOSECONDS), o.getDelay(TimeUnit.NANOSECONDS));
    }

    // The outcome belongs to the task, as with Netty's ScheduledFutureTask: callers cannot set it.

    @Override
    public Promise<V> setSuccess(V result) {
        throw new IllegalStateException("a scheduled task's future completes when the task runs");
    }

    @Override
    public boolean trySuccess(V result) {
        return false;
    }

    @Override
    public Promise<V> setFailure(Throwable cause) {
        throw new IllegalStateException("a scheduled task's future completes when the task runs", cause);
    }

    @Override
    public boolean tryFailure(Throwable cause) {
        return false;
    }

    @Override
    public boolean setUncancellable() {
        throw new IllegalStateException("a scheduled task stays cancellable until it runs");
    }

    @Override
    protected StringBuilder toStringBuilder() {
        return super.toStringBuilder()
                .append(" deadline: ")
                .append(deadlineNanos)
                .append(", period: ")
                .append(periodNanos)
                .append(", task: ")
                .append(task);
    }
}
