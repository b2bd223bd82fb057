package org.looptimer.core;

import java.util.Locale;

/**
 * Whether a heap records where its timers were created, and reports pending timers whose handle
 * the application can no longer reach: in the spirit of Netty's {@code ResourceLeakDetector}, for
 * the Go bug of tickers created in a loop and never stopped.
 *
 * <pre>{@code
 * TimerHeap heap = TimerHeap.builder().leakDetection(LeakDetection.SAMPLED).build();
 * // or, for every heap and every loop of a TimerEventLoopGroup: -Dlooptimer.leakDetection=sampled
 * heap.timers().topSites(5).forEach(site -> log.info("{}", site));
 * }</pre>
 *
 * <p>A recorded timer's creation site is the first stack frame outside looptimer and Netty. Its
 * handle is then a small wrapper the heap does not reference; once the application drops it while
 * the timer is still pending, the timer is logged once at {@code ERROR} through
 * {@link System.Logger}, counted in {@link TimerStats#leaked()} and, with
 * {@code -Dlooptimer.leakDetection.stop=true}, stopped (as Go 1.23 collects unreferenced timers).
 * A timer whose own callback holds its handle is never reported: it can still stop itself.
 */
public enum LeakDetection {
    /** Nothing recorded: the handle is the heap's entry, and detection costs nothing. */
    DISABLED,
    /** About one timer in {@value LeakTracker#SAMPLE_ONE_IN} is recorded: cheap enough for production. */
    SAMPLED,
    /** Every timer is recorded: a stack walk per schedule, for tests and for hunting a leak. */
    ALL;

    /** The system property that sets the default: {@code disabled}, {@code sampled} or {@code all}. */
    public static final String PROPERTY = "looptimer.leakDetection";

    /** The system property that makes detection stop the leaked timers it finds: {@code true}. */
    public static final String STOP_PROPERTY = "looptimer.leakDetection.stop";

    /**
     * The level {@value #PROPERTY} names, {@link #DISABLED} when it is not set.
     *
     * @throws IllegalArgumentException if it is set to anything else
     */
    public static LeakDetection fromSystemProperty() {
        String value = System.getProperty(PROPERTY);
        if (value == null || value.isBlank()) {
            return DISABLED;
        }
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "-D" + PROPERTY + " must be disabled, sampled or all, was '" + value + "'", e);
        }
    }
}
