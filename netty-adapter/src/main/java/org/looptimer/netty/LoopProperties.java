package org.looptimer.netty;

import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.looptimer.core.LeakDetection;
import org.looptimer.core.TimerHeap;

/**
 * The system properties that configure the heap of every loop of a {@link TimerEventLoopGroup}:
 *
 * <pre>
 *   -Dlooptimer.maxTimers=1000000     pending timers per loop; more are rejected (default: no limit)
 *   -Dlooptimer.slack=10ms            how late a loop may run a timer to run several in one wake-up
 *                                     (ns, us, ms or s; default 0)
 *   -Dlooptimer.leakDetection=sampled see {@link LeakDetection} (default: disabled)
 * </pre>
 *
 * <p>Read when each loop is made; a bad value fails the group's construction with a message that
 * names the property. Stateless; any thread.
 */
final class LoopProperties {

    static final String MAX_TIMERS = "looptimer.maxTimers";
    static final String SLACK = "looptimer.slack";

    private LoopProperties() {}

    /** {@code builder}, with whatever the properties set. */
    static TimerHeap.Builder apply(TimerHeap.Builder builder) {
        String max = System.getProperty(MAX_TIMERS);
        if (max != null) {
            try {
                builder.maxTimers(Integer.parseInt(max.trim()));
            } catch (IllegalArgumentException e) { // NumberFormatException too
                throw new IllegalArgumentException("-D" + MAX_TIMERS + " must be a positive int, was '" + max + "'", e);
            }
        }
        String slack = System.getProperty(SLACK);
        if (slack != null) {
            builder.slack(parseNanos(SLACK, slack), TimeUnit.NANOSECONDS);
        }
        builder.leakDetection(LeakDetection.fromSystemProperty());
        return builder;
    }

    /** {@code 10ms}, {@code 500us}, {@code 2s} or {@code 250000ns} in nanoseconds. */
    static long parseNanos(String property, String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        TimeUnit unit;
        int digits;
        if (v.endsWith("ns")) {
            unit = TimeUnit.NANOSECONDS;
            digits = v.length() - 2;
        } else if (v.endsWith("us")) {
            unit = TimeUnit.MICROSECONDS;
            digits = v.length() - 2;
        } else if (v.endsWith("ms")) {
            unit = TimeUnit.MILLISECONDS;
            digits = v.length() - 2;
        } else if (v.endsWith("s")) {
            unit = TimeUnit.SECONDS;
            digits = v.length() - 1;
        } else {
            throw badDuration(property, value, null);
        }
        try {
            long amount = Long.parseLong(v.substring(0, digits).trim());
            if (amount < 0) {
                throw badDuration(property, value, null);
            }
            return unit.toNanos(amount);
        } catch (NumberFormatException e) {
            throw badDuration(property, value, e);
        }
    }

    private static IllegalArgumentException badDuration(String property, String value, Throwable cause) {
        return new IllegalArgumentException(
                "-D" + property + " must be a duration such as 10ms, 500us or 1s, was '" + value + "'", cause);
    }
}
