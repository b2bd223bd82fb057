package org.looptimer.core;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * How many timers of one heap are armed, and the {@code maxTimers} limit on it.
 *
 * <p>An unlimited heap counts in a {@link SplitCount}, so that neither the owner's hot path nor
 * threads scheduling and cancelling at once pay for a contended atomic (only statistics read the
 * count). A limited heap needs one exact count that every thread checks against the limit before
 * arming, so there every method uses one {@link AtomicLong}.
 *
 * <p>Threads: {@code owner*} methods on the owner only; {@link #arm}, {@link #disarm} and
 * {@link #get} on any thread.
 */
final class ArmedCount {

    private final long max;
    private final boolean limited;

    // --- written by any thread ---
    /** The exact count of a limited heap; unused when unlimited. */
    private final AtomicLong shared = new AtomicLong();
    /** The count of an unlimited heap; unused when limited. */
    private final SplitCount split = new SplitCount();

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
            split.ownerAdd(1);
        }
    }

    void ownerDisarm() {
        if (limited) {
            disarm();
        } else {
            split.ownerAdd(-1);
        }
    }

    /**
     * Counts one more armed timer.
     *
     * @throws RejectedExecutionException if the limit is reached; nothing is counted then
     */
    void arm() {
        if (!limited) {
            split.add(1);
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
        if (limited) {
            shared.decrementAndGet();
        } else {
            split.add(-1);
        }
    }

    /** Owner, on close: {@code disarmed} timers are armed no more. */
    void ownerClear(long disarmed) {
        if (limited) {
            shared.addAndGet(-disarmed);
        } else {
            split.ownerAdd(-disarmed);
        }
    }

    long get() {
        return limited ? shared.get() : split.get();
    }
}
