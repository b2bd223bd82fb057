package org.looptimer.core;

import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The time arithmetic every looptimer timer follows, in one place: how a delay becomes a deadline,
 * where a ticker runs next, and what a period may be. Public so that adapters and callers who
 * compute absolute deadlines (for {@link Timers#scheduleAt} and {@link TimerHandle#resetAt}) get
 * exactly the engine's rules.
 *
 * <pre>{@code
 * long now = ticker.nanoTime();                     // a reading the caller already holds
 * handle.resetAt(Deadlines.after(now, idleNanos));  // no second clock read
 * }</pre>
 *
 * <p>The times here are offsets from a fixed origin, such as a Netty {@code Ticker}'s readings or
 * a {@link TimerHeap}'s internal time: non-negative, so that {@link Long#MAX_VALUE} can stand for
 * "never" and a sum that overflows saturates to it. Stateless; any thread.
 */
public final class Deadlines {

    private Deadlines() {}

    /**
     * Checks a ticker's period.
     *
     * @return the period in nanoseconds
     * @throws NullPointerException if {@code unit} is null
     * @throws IllegalArgumentException if {@code period <= 0}
     */
    public static long checkPeriod(long period, TimeUnit unit) {
        Objects.requireNonNull(unit, "unit");
        if (period <= 0) {
            throw new IllegalArgumentException("period must be > 0, was " + period + " " + unit);
        }
        return unit.toNanos(period);
    }

    /**
     * {@code now + delayNanos}: a delay of zero or less is due at {@code now}, and a sum past the
     * range is {@link Long#MAX_VALUE}, never.
     *
     * @param now a non-negative offset from the origin
     */
    public static long after(long now, long delayNanos) {
        if (delayNanos <= 0) {
            return now;
        }
        return delayNanos >= Long.MAX_VALUE - now ? Long.MAX_VALUE : now + delayNanos;
    }

    /**
     * Per-timer slack: {@code deadline} rounded up to the next multiple of the largest power of two
     * not above {@code slackNanos}, so that timers given the same slack share deadlines and one
     * wake-up runs them all (Linux's {@code round_jiffies}). Never earlier than {@code deadline}, at
     * most {@code slackNanos} later; a slack of 0 or less, or {@link Long#MAX_VALUE} (never), leaves
     * it as it is.
     *
     * <pre>{@code
     * handle.resetAt(Deadlines.coalesce(Deadlines.after(now, pingNanos), slackNanos));
     * }</pre>
     *
     * @param deadline a non-negative offset from the origin
     */
    public static long coalesce(long deadline, long slackNanos) {
        if (slackNanos <= 0 || deadline == Long.MAX_VALUE) {
            return deadline;
        }
        long grid = Long.highestOneBit(slackNanos);
        long down = deadline & -grid;
        if (down == deadline) {
            return deadline;
        }
        return down > Long.MAX_VALUE - grid ? Long.MAX_VALUE : down + grid;
    }

    /**
     * Go's ticker rule: the first period boundary after {@code now}, counted from {@code when},
     * {@code when + period * (1 + (now - when) / period)}. A ticker that fell behind skips the
     * ticks it missed instead of running them in a burst. {@link Long#MAX_VALUE} when past the
     * range.
     *
     * @param when the deadline of the tick that is running
     * @param period the period, > 0
     * @param now the time of the run, normally at or after {@code when}
     */
    public static long nextTick(long when, long period, long now) {
        long behind = Math.max(0, now - when);
        long steps = 1 + behind / period;
        if (steps > (Long.MAX_VALUE - when) / period) {
            return Long.MAX_VALUE;
        }
        return when + steps * period;
    }
}
