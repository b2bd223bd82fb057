package org.looptimer.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * How many timers of one heap are armed, and the {@code maxTimers} limit on it.
 *
 * <p>Unlimited heaps keep two counters so that the owner's hot path stays free of atomic
 * instructions: the owner's own arms and disarms in a plain field (published with opaque stores
 * for {@link #get()}), everyone else's in an {@link AtomicLong}. Either may go negative; their sum
 * is the count. A limited heap needs one exact count that every thread checks against the limit
 * before arming, so there the owner's methods use the atomic too.
 *
 * <p>Threads: {@code owner*} methods on the owner only; {@link #arm}, {@link #disarm} and
 * {@link #get} on any thread.
 */
final class ArmedCount {

    private static final VarHandle OWNED;

    static {
        try {
            OWNED = MethodHandles.lookup().findVarHandle(ArmedCount.class, "owned", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final long max;
    private final boolean limited;

    // --- written by any thread ---
    private final AtomicLong shared = new AtomicLong();

    // --- written by the owner only, with opaque stores: readers need a whole value, no order ---
    private long owned;

    /** What a full heap adds to its rejection message, such as its top creation site; or "". */
    private final Supplier<String> rejectionDetail;

    ArmedCount(int max, Supplier<String> rejectionDetail) {
        this.max = max;
        this.rejectionDetail = rejectionDetail;
        this.limited = max != Integer.MAX_VALUE;
    }

    /** Whether a {@code maxTimers} limit makes every arming take the atomic count. */
    boolean isLimited() {
        return limited;
    }

    void ownerArm() {
        if (limited) {
            arm();
        } else {
            OWNED.setOpaque(this, owned + 1);
        }
    }

    void ownerDisarm() {
        if (limited) {
            disarm();
        } else {
            OWNED.setOpaque(this, owned - 1);
        }
    }

    /**
     * Counts one more armed timer.
     *
     * @throws RejectedExecutionException if the limit is reached; nothing is counted then
     */
    void arm() {
        if (!limited) {
            shared.incrementAndGet();
            return;
        }
        long n;
        do {
            n = shared.get();
            if (n >= max) {
                throw new RejectedExecutionException("TimerHeap is full: maxTimers=" + max + ", pending=" + n
                        + "; timer rejected, nothing already scheduled is affected" + rejectionDetail.get());
            }
        } while (!shared.compareAndSet(n, n + 1));
    }

    void disarm() {
        shared.decrementAndGet();
    }

    /** Owner, on close: {@code disarmed} timers are armed no more. */
    void ownerClear(long disarmed) {
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
