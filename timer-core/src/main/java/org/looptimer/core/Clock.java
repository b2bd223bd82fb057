package org.looptimer.core;

/**
 * A monotonic nanosecond clock: the only source of time a {@link TimerHeap} reads.
 *
 * <p>Readings are only ever subtracted from one another, never compared with {@code <} across a
 * wrap, exactly like {@link System#nanoTime()}. Production code uses {@link #system()}; tests use
 * {@link ManualClock} so that no verdict depends on real time.
 *
 * <pre>{@code
 * TimerHeap heap = TimerHeap.builder().clock(Clock.system()).build();
 * }</pre>
 *
 * <p>Implementations must be safe to call from any thread and must never go backwards.
 */
@FunctionalInterface
public interface Clock {

    /** The current reading, in nanoseconds, in an arbitrary but fixed origin. */
    long nanoTime();

    /** The JVM's monotonic clock, {@link System#nanoTime()}. */
    static Clock system() {
        return SystemClock.INSTANCE;
    }
}
