package org.looptimer.netty;

import io.netty.util.concurrent.EventExecutor;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.looptimer.core.Deadlines;
import org.looptimer.core.TimerHandle;
import org.looptimer.core.Timers;

/**
 * Timers on Netty event loops: {@link #of} gives the {@link Timers} of a {@link TimerEventLoop};
 * the static {@code schedule*} methods arm a {@link TimerHandle} on any executor, in the loop's
 * heap where there is one and through the executor's own {@code schedule} elsewhere (a stock loop,
 * an {@code EmbeddedEventLoop}), with the same semantics either way.
 *
 * <pre>{@code
 * // in a handler, on a channel whose loop belongs to a TimerEventLoopGroup:
 * TimerHandle idle = LoopTimers.of(ctx.executor()).schedule(ctx::close, 30, TimeUnit.SECONDS);
 *
 * // in a handler that must also work on stock loops and in EmbeddedChannel:
 * TimerHandle ping = LoopTimers.scheduleTicker(ctx.executor(), this::ping, 10, TimeUnit.SECONDS);
 * }</pre>
 *
 * <p>Deadlines are in the domain of the executor's {@code ticker().nanoTime()} (a
 * {@link TimerEventLoop}'s heap is clocked by its ticker). Any thread.
 */
public final class LoopTimers {

    private LoopTimers() {}

    /**
     * The timers of {@code executor}, which must be a {@link TimerEventLoop}.
     *
     * @throws NullPointerException if {@code executor} is null
     * @throws IllegalArgumentException if {@code executor} is any other executor; the message says
     *     how to get a loop with a heap
     */
    public static Timers of(EventExecutor executor) {
        Timers timers = find(Objects.requireNonNull(executor, "executor"));
        if (timers == null) {
            throw new IllegalArgumentException("executor " + executor.getClass().getName()
                    + " is not a TimerEventLoop and has no timer heap: create its event loop group with"
                    + " new TimerEventLoopGroup(ioHandlerFactory) instead of new MultiThreadIoEventLoopGroup(...),"
                    + " or use LoopTimers.schedule(executor, ...), which works on any executor");
        }
        return timers;
    }

    /** The timers of {@code executor} if it is a {@link TimerEventLoop}, else null. */
    static Timers find(EventExecutor executor) {
        return executor instanceof TimerEventLoop loop ? loop.timers() : null;
    }

    /**
     * Runs {@code task} once on {@code executor}, {@code delay} from now: in its heap on a
     * {@link TimerEventLoop}, through {@code executor.schedule} on any other executor.
     *
     * @throws NullPointerException if an argument is null
     * @throws java.util.concurrent.RejectedExecutionException if the executor is shut down or its
     *     heap is full
     */
    public static TimerHandle schedule(EventExecutor executor, Runnable task, long delay, TimeUnit unit) {
        Objects.requireNonNull(executor, "executor");
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(unit, "unit");
        Timers timers = find(executor);
        return timers != null
                ? timers.schedule(task, delay, unit)
                : ExecutorTimerHandle.schedule(executor, task, unit.toNanos(delay), false);
    }

    /**
     * Runs {@code task} once on {@code executor} at {@code deadlineNanos}, a reading of the
     * executor's {@code ticker().nanoTime()}; on a {@link TimerEventLoop} no clock is read.
     *
     * @throws NullPointerException if an argument is null
     * @throws java.util.concurrent.RejectedExecutionException as {@link #schedule}
     */
    public static TimerHandle scheduleAt(EventExecutor executor, Runnable task, long deadlineNanos) {
        Objects.requireNonNull(executor, "executor");
        Objects.requireNonNull(task, "task");
        Timers timers = find(executor);
        return timers != null
                ? timers.scheduleAt(task, deadlineNanos)
                : ExecutorTimerHandle.scheduleAt(executor, task, deadlineNanos);
    }

    /**
     * Runs {@code task} on {@code executor} every {@code period}, first one period from now,
     * skipping the runs it falls behind on (Go's ticker).
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code period <= 0}
     * @throws java.util.concurrent.RejectedExecutionException as {@link #schedule}
     */
    public static TimerHandle scheduleTicker(EventExecutor executor, Runnable task, long period, TimeUnit unit) {
        Objects.requireNonNull(executor, "executor");
        Objects.requireNonNull(task, "task");
        long periodNanos = Deadlines.checkPeriod(period, unit);
        Timers timers = find(executor);
        return timers != null
                ? timers.scheduleTicker(task, periodNanos, TimeUnit.NANOSECONDS)
                : ExecutorTimerHandle.schedule(executor, task, periodNanos, true);
    }
}
