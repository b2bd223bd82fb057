package org.looptimer.core;

import java.util.concurrent.TimeUnit;

/**
 * A timer scheduled through {@link Timers}: a one-shot timer (Go's {@code AfterFunc}) or a ticker
 * (Go's {@code Ticker}). Every method is safe from any thread and never blocks.
 *
 * <pre>{@code
 * TimerHandle idle = timers.schedule(channel::close, 30, TimeUnit.SECONDS);
 * // on every read:
 * idle.reset(30, TimeUnit.SECONDS);   // later deadline: a few nanoseconds, no allocation
 * // on close:
 * idle.stop();
 * }</pre>
 */
public interface TimerHandle {

    /**
     * Disarms the timer.
     *
     * @return true only if this call prevented a pending run; false if the timer had already run
     *     (a one-shot), was already stopped, or its heap is closed
     */
    boolean stop();

    /**
     * Re-arms the timer, whether it is pending, has run or was stopped. A one-shot timer runs once
     * {@code delay} after the clock reading taken by this call; a ticker takes {@code delay} as its
     * new period and next runs one period from now.
     *
     * @return whether the timer was pending before this call
     * @throws NullPointerException if {@code unit} is null
     * @throws IllegalArgumentException if this is a ticker and {@code delay <= 0}
     * @throws java.util.concurrent.RejectedExecutionException if the heap is closed, or re-arming
     *     a timer that was not pending would exceed the heap's {@code maxTimers}
     */
    boolean reset(long delay, TimeUnit unit);

    /**
     * Re-arms the timer to run at {@code deadlineNanos}, in the domain of {@link #deadlineNanos()},
     * without reading the clock. A ticker keeps its period and runs next at that deadline. A
     * deadline already past runs on the owner's next pass; {@link Long#MAX_VALUE} never runs.
     *
     * @return whether the timer was pending before this call
     * @throws java.util.concurrent.RejectedExecutionException as {@link #reset}
     */
    boolean resetAt(long deadlineNanos);

    /** Whether the timer is armed: it will run unless stopped. */
    boolean isPending();

    /** Whether this is a ticker. */
    boolean isPeriodic();

    /**
     * The deadline of the current arming, or of the last one if the timer is not pending, in the
     * heap clock's {@code nanoTime()} domain; {@link Long#MAX_VALUE} for a deadline too far away to
     * represent (such a timer never runs).
     */
    long deadlineNanos();
}
