package org.looptimer.netty;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.looptimer.core.Deadlines;
import org.looptimer.core.TimerHandle;

/**
 * A {@link TimerHandle} over any {@link EventExecutor}'s own scheduler: what {@link ChannelTimers}
 * uses on a loop that is not a {@link TimerEventLoop} (a stock Netty loop, an
 * {@code EmbeddedEventLoop}).
 *
 * <p>It gives the executor's {@code schedule} the semantics of a heap timer: {@link #stop()} is
 * true only if it prevented a pending run, {@link #reset} re-arms a timer that ran or was stopped,
 * and a ticker that falls behind skips the ticks it missed (Go's rule) instead of bursting as
 * {@code scheduleAtFixedRate} would. Each arming is one {@link Arming}; {@link #reset} replaces it,
 * so a stale executor task can never run the callback. This is a fallback path: it allocates a
 * Netty task per arming and per tick, which the heap does not.
 *
 * <p>Deadlines are in the executor's {@link EventExecutor#ticker() ticker} domain. A callback that
 * throws is logged and, for a ticker, does not stop it.
 *
 * <p>Threads: every method may be called from any thread; callbacks run on the executor.
 */
final class ExecutorTimerHandle implements TimerHandle {

    private static final InternalLogger logger = InternalLoggerFactory.getInstance(ExecutorTimerHandle.class);

    // An arming's states, numbered as the heap's: 0 is not armed, 1 pending, 2 stopped.
    private static final int RAN = 0;
    private static final int PENDING = 1;
    private static final int STOPPED = 2;

    private static final VarHandle CURRENT;
    private static final VarHandle STATE;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            CURRENT = lookup.findVarHandle(ExecutorTimerHandle.class, "current", Arming.class);
            STATE = lookup.findVarHandle(Arming.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final EventExecutor executor;
    private final Runnable task;
    private final boolean periodic;

    /** The current arming. Volatile: any thread resets or stops; the executor reads it. */
    private volatile Arming current;

    private ExecutorTimerHandle(EventExecutor executor, Runnable task, boolean periodic) {
        this.executor = executor;
        this.task = task;
        this.periodic = periodic;
    }

    /**
     * A timer running {@code task} on {@code executor} {@code delayNanos} from now: once, or, if
     * {@code periodic}, every {@code delayNanos} (> 0).
     */
    static ExecutorTimerHandle schedule(EventExecutor executor, Runnable task, long delayNanos, boolean periodic) {
        ExecutorTimerHandle h = new ExecutorTimerHandle(executor, task, periodic);
        long now = executor.ticker().nanoTime();
        h.arm(Deadlines.after(now, delayNanos), periodic ? delayNanos : 0, now);
        return h;
    }

    /** A one-shot timer running {@code task} on {@code executor} at {@code deadlineNanos}. */
    static ExecutorTimerHandle scheduleAt(EventExecutor executor, Runnable task, long deadlineNanos) {
        ExecutorTimerHandle h = new ExecutorTimerHandle(executor, task, false);
        h.arm(deadlineNanos, 0, executor.ticker().nanoTime());
        return h;
    }

    /** Installs a new arming, retires the previous one, and returns whether that was pending. */
    private boolean arm(long deadline, long periodNanos, long now) {
        Arming next = new Arming(periodNanos, deadline);
        // getAndSet (volatile): publishes the new arming before its executor task can exist, so
        // that task finds itself current when it runs.
        Arming previous = (Arming) CURRENT.getAndSet(this, next);
        boolean wasPending = previous != null && previous.tryStop();
        next.start(now);
        return wasPending;
    }

    @Override
    public boolean stop() {
        for (; ; ) {
            Arming a = current;
            if (a.tryStop()) {
                return true;
            }
            if (current == a) {
                return false; // it ran or was stopped, and no reset replaced it meanwhile
            }
            // A concurrent reset retired `a` first; the stop applies to its replacement.
        }
    }

    @Override
    public boolean reset(long delay, TimeUnit unit) {
        long nanos = periodic
                ? Deadlines.checkPeriod(delay, unit)
                : Objects.requireNonNull(unit, "unit").toNanos(delay);
        long now = executor.ticker().nanoTime();
        return arm(Deadlines.after(now, nanos), periodic ? nanos : 0, now);
    }

    /** A ticker keeps its period. */
    @Override
    public boolean resetAt(long deadlineNanos) {
        return arm(deadlineNanos, current.period, executor.ticker().nanoTime());
    }

    @Override
    public boolean isPending() {
        return current.state == PENDING;
    }

    @Override
    public boolean isPeriodic() {
        return periodic;
    }

    @Override
    public long deadlineNanos() {
        return current.deadline;
    }

    @Override
    public String toString() {
        Arming a = current;
        return "ExecutorTimerHandle[" + (a.state == PENDING ? "pending" : a.state == RAN ? "ran" : "stopped")
                + ", deadline=" + a.deadline + (periodic ? ", period=" + a.period : "") + ", task=" + task + ']';
    }

    /**
     * One arming of the timer: its deadline, its period and the executor task that will run it.
     * States: PENDING -> RAN (a one-shot ran), PENDING -> STOPPED (stop, or a reset retired it).
     */
    private final class Arming implements Runnable {
        final long period;
        /** Written by the executor as a ticker advances, read anywhere: volatile. */
        volatile long deadline;
        /** CAS from any thread. */
        volatile int state = PENDING;
        /**
         * The executor task for the next run. Volatile, written before {@link #state} is re-read
         * and read after {@link #state} is CASed: whichever of start/tick and tryStop comes second
         * sees the other and cancels the task (a Dekker pair), so a stopped arming leaves nothing
         * in the executor's queue.
         */
        volatile ScheduledFuture<?> future;

        Arming(long period, long deadline) {
            this.period = period;
            this.deadline = deadline;
        }

        void start(long now) {
            if (deadline == Long.MAX_VALUE) {
                return; // never runs: nothing to queue
            }
            try {
                // Netty reads its ticker again: the run is never before the deadline.
                future = executor.schedule(this, deadline - now, TimeUnit.NANOSECONDS);
            } catch (RuntimeException rejected) {
                STATE.compareAndSet(this, PENDING, STOPPED);
                throw rejected;
            }
            cancelIfStopped();
        }

        boolean tryStop() {
            if (!STATE.compareAndSet(this, PENDING, STOPPED)) {
                return false;
            }
            ScheduledFuture<?> f = future;
            if (f != null) {
                f.cancel(false);
            }
            return true;
        }

        private void cancelIfStopped() {
            if (state != PENDING) {
                ScheduledFuture<?> f = future;
                if (f != null) {
                    f.cancel(false);
                }
            }
        }

        /** Executor thread. */
        @Override
        public void run() {
            if (current != this) {
                return; // retired by a reset; tryStop cancelled us but the task had started
            }
            if (period == 0) {
                if (!STATE.compareAndSet(this, PENDING, RAN)) {
                    return;
                }
            } else {
                if (state != PENDING) {
                    return;
                }
                // Queue the next tick before running, as the heap does, so the task may stop or
                // reset its own ticker.
                long now = executor.ticker().nanoTime();
                long next = Deadlines.nextTick(deadline, period, now);
                deadline = next;
                if (next != Long.MAX_VALUE) {
                    future = executor.schedule(this, next - now, TimeUnit.NANOSECONDS);
                    cancelIfStopped();
                }
            }
            try {
                task.run();
            } catch (Throwable failure) {
                logger.warn("timer callback failed: {}", ExecutorTimerHandle.this, failure);
            }
        }
    }
}
