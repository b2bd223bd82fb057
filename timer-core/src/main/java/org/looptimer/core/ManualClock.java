package org.looptimer.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A {@link Clock} that moves only when told to, so timer behaviour can be tested without
 * sleeping.
 *
 * <pre>{@code
 * ManualClock clock = new ManualClock();
 * TimerHeap heap = TimerHeap.builder().clock(clock).build();
 * heap.schedule(task, 10, TimeUnit.MILLISECONDS);
 * clock.advance(10, TimeUnit.MILLISECONDS);
 * heap.runDue(clock.nanoTime());   // runs task
 * }</pre>
 *
 * <p>Any thread may read or move it; the reading is a {@code volatile} field so that a value set on
 * one thread is seen by the next read on any other.
 */
public final class ManualClock implements Clock {

    private static final VarHandle NANOS;

    static {
        try {
            NANOS = MethodHandles.lookup().findVarHandle(ManualClock.class, "nanos", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private volatile long nanos;

    /** A clock that reads 0 until moved. */
    public ManualClock() {
        this(0L);
    }

    /** A clock that reads {@code startNanos} until moved. */
    public ManualClock(long startNanos) {
        this.nanos = startNanos;
    }

    @Override
    public long nanoTime() {
        return nanos;
    }

    /**
     * Moves the clock forward.
     *
     * @throws IllegalArgumentException if {@code amount} is negative: a monotonic clock never
     *     goes back
     */
    public ManualClock advance(long amount, TimeUnit unit) {
        Objects.requireNonNull(unit, "unit");
        if (amount < 0) {
            throw new IllegalArgumentException("amount must be >= 0, was " + amount + " " + unit);
        }
        // Atomic add, not `nanos += delta`: tests may advance from two threads at once.
        NANOS.getAndAdd(this, unit.toNanos(amount));
        return this;
    }

    /** Sets the reading. Tests may set any value, including one near a wrap of the long range. */
    public ManualClock set(long nanos) {
        this.nanos = nanos;
        return this;
    }

    @Override
    public String toString() {
        return "ManualClock[" + nanos + " ns]";
    }
}
