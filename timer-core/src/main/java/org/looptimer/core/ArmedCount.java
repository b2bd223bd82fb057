package org.looptimer.core;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How many timers of one heap are armed, and the {@code maxTimers} limit on it.
 *
 * <p>Unlimited heaps keep two counters so that the owner's hot path stays free of atomic
 * instructions: the owner's own arms and disarms in a plain field (published with opaque stores for
 * {@link #get()}), other threads' in an {@link AtomicLong}. Either may go negative; their sum is
 * the count. A limited heap needs one exact count that every thread checks against the limit
 * before arming, so there every thread uses the atomic.
 *
 * <p>Threads: {@code owner*} methods on the owner only, {@code foreign*} on any other thread,
 * {@link #get()} anywhere.
 */
final class ArmedCount {

    private final long max;
    private final boolean limited;
    private final AtomicLong shared = new AtomicLong();
    private long owned; // owner only; written with opaque stores below

    private static final java.lang.invoke.VarHandle OWNED;

    static {
        try {
            OWNED = java.lang.invoke.MethodHandles.lookup()
                    .findVarHandle(ArmedCount.class, "owned", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    ArmedCount(int max) {
        this.max = max;
        this.limited = max != Integer.MAX_VALUE;
    }

    void ownerArm() {
        if (limited) {
            foreignArm();
        } else {
            // Opaque store: readers on other threads need a whole value, not an ordering.
            OWNED.setOpaque(this, owned + 1);
        }
    }

    void ownerDisarm() {
        if (limited) {
            shared.decrementAndGet();
        } else {
            OWNED.setOpaque(this, owned - 1);
        }
    }

    void foreignArm() {
        if (!limited) {
            shared.incrementAndGet();
            return;
        }
        long n;
        do {
            n = shared.get();
            if (n >= max) {
                throw new RejectedExecutionException("TimerHeap is full: maxTimers=" + max
                        + " timers are already pending; timer rejected, nothing already scheduled"
                        + " is affected");
            }
        } while (!shared.compareAndSet(n, n + 1));
    }

    void foreignDisarm() {
        shared.decrementAndGet();
    }

    /** Owner, on close: nothing is armed any more. */
    void clear(long disarmed) {
        if (limited) {
            shared.addAndGet(-disarmed);
        } else {
            OWNED.setOpaque(this, owned - disarmed);
        }
    }

    long get() {
        return (long) OWNED.getOpaque(this) + shared.get();
    }
}
