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
import org.looptimer.core.TimerHandle;
import org.looptimer.core.TimerHeap;

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
    private static final VarHandle DEADLINE;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            HANDLE = lookup.findVarHandle(LoopScheduledFuture.class, "handle", TimerHandle.class);
            DEADLINE = lookup.findVarHandle(LoopScheduledFuture.class, "deadlineNanos", long.class);
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
     * The deadline of the current run, in the loop ticker's domain. Volatile: {@link #getDelay}
     * reads it anywhere. Written by the loop once per run, and once by {@link #armed} (a CAS).
     */
    private volatile long deadlineNanos;
    /**
     * The timer. Volatile, set by CAS: the scheduling thread stores it after arming, and the loop
     * may run a periodic task before that store lands and must install a timer of its own.
     */
    private volatile TimerHandle handle;

    LoopScheduledFuture(TimerEventLoop loop, Runnable task, long delayNanos, long periodNanos) {
        this(loop, task, false, delayNanos, periodNanos);
    }

    LoopScheduledFuture(TimerEventLoop loop, Callable<V> task, long delayNanos, long periodNanos) {
        this(loop, task, true, delayNanos, periodNanos);
    }

    private LoopScheduledFuture(TimerEventLoop loop, Object task, boolean callable, long delayNanos,
                                long periodNanos) {
        super(loop);
        this.loop = loop;
        this.task = task;
        this.callable = callable;
        this.periodNanos = periodNanos;
        // An estimate until armed() reads the heap's own deadline. Only a foreign scheduler needs
        // one (the loop may run a periodic task before armed()); on the loop thread armed() runs
        // before anything can read it, so the loop saves a clock read.
        this.deadlineNanos = loop.inEventLoop()
                ? 0 : saturatedAdd(loop.ticker().nanoTime(), Math.max(0, delayNanos));
    }

    /** The scheduling thread: the heap accepted the timer. */
    void armed(TimerHandle h) {
        if (loop.inEventLoop()) {
            // The loop cannot run this task before this returns, so nothing races these stores:
            // release stores publish them to a foreign cancel() or getDelay(), no CAS needed.
            HANDLE.setRelease(this, h);
            DEADLINE.setRelease(this, h.deadlineNanos());
            return;
        }
        long estimate = deadlineNanos;
        if (HANDLE.compareAndSet(this, null, h)) {
            // The heap's exact deadline replaces the estimate, unless the loop has already run the
            // task and moved the deadline on (rearm() writes it before it re-arms the timer, so
            // a deadline read from a re-armed timer never lands here). CAS, not a store, for that.
            DEADLINE.compareAndSet(this, estimate, h.deadlineNanos());
        } // else: the loop ran a periodic task first and installed its own timer
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
        TimerHeap heap = loop.timers();
        // The heap measures an owner's delay from its pass time; take a fresh one so that a fixed
        // delay counts from the end of this run, and compute the delay against the same reading
        // (read just after it, so the deadline is at most a clock read early, never late).
        heap.updateTime();
        long now = loop.ticker().nanoTime();
        long next = periodNanos > 0
                ? saturatedAdd(deadlineNanos, periodNanos)
                : saturatedAdd(now, -periodNanos);
        deadlineNanos = next;
        long delay = next == Long.MAX_VALUE ? Long.MAX_VALUE : next - now;
        try {
            TimerHandle h = handle;
            if (h == null) {
                h = heap.schedule(this, delay, TimeUnit.NANOSECONDS);
                if (!HANDLE.compareAndSet(this, null, h)) {
                    h.stop(); // the scheduling thread stored its handle meanwhile: re-arm that one
                    h = handle;
                    h.reset(delay, TimeUnit.NANOSECONDS);
                }
            } else {
                h.reset(delay, TimeUnit.NANOSECONDS);
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
        long delay = deadline == Long.MAX_VALUE ? Long.MAX_VALUE : deadline - loop.ticker().nanoTime();
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
                .append(" deadline: ").append(deadlineNanos)
                .append(", period: ").append(periodNanos)
                .append(", task: ").append(task);
    }

    static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r; // only positive overflow is possible here
    }
}
