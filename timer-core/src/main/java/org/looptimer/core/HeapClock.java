package org.looptimer.core;

/**
 * A {@link TimerHeap}'s time: its {@link Clock}'s readings as nanoseconds since the heap's origin
 * (the reading when the heap was built). Offsets stay non-negative and never wrap, so deadlines
 * compare with {@code <} and pack into a timer's word; anything at or past {@link HeapTimer#NEVER}
 * (about 18 years) never comes. The clock's readings themselves are only ever subtracted, never
 * compared, so a clock that wraps past {@link Long#MAX_VALUE} is fine.
 *
 * <p>Immutable apart from the clock it reads; any thread.
 */
final class HeapClock {

    private final Clock clock;
    private final long origin;

    HeapClock(Clock clock) {
        this.clock = clock;
        this.origin = clock.nanoTime();
    }

    /** A fresh reading of the clock, as an offset. */
    long now() {
        return toInternal(clock.nanoTime());
    }

    /** A reading of the clock as an offset; a reading before the origin counts as the origin. */
    long toInternal(long clockNanos) {
        long t = clockNanos - origin; // a difference, never a comparison: safe across a wrap
        if (t < 0) {
            return 0;
        }
        return Math.min(t, HeapTimer.NEVER - 1);
    }

    /** An absolute deadline in the clock's domain as an offset; {@link Long#MAX_VALUE} is never. */
    long deadline(long clockNanos) {
        return clockNanos == Long.MAX_VALUE ? HeapTimer.NEVER : toInternal(clockNanos);
    }

    /** An offset in the clock's domain; never is {@link Long#MAX_VALUE}. */
    long toClockNanos(long internal) {
        return internal >= HeapTimer.NEVER ? Long.MAX_VALUE : origin + internal;
    }

    /** The clock-domain reading at offset 0. */
    long origin() {
        return origin;
    }

    /** {@link Deadlines#after}, clamped to {@link HeapTimer#NEVER}. */
    static long after(long now, long delayNanos) {
        return Math.min(Deadlines.after(now, delayNanos), HeapTimer.NEVER);
    }

    /** {@link Deadlines#nextTick}, clamped to {@link HeapTimer#NEVER}. */
    static long nextTick(long when, long period, long now) {
        return Math.min(Deadlines.nextTick(when, period, now), HeapTimer.NEVER);
    }
}
