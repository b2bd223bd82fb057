package org.looptimer.core;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * How many timers of one heap are armed, how many stopped entries still wait in its heap or inbox,
 * and the {@code maxTimers} limit on the first.
 *
 * <p>What they count is timers' words (see {@link HeapTimer}): in a heap without a limit, a timer
 * armed by another thread from idle is UNCOUNTED until the owner drains it, and a stop before then
 * counts nothing, so a foreign schedule cancelled before the owner's next pass never touches these
 * counts.
 * {@link TimerHeap#stats()} adds the pending ones still in the inbox to the armed count.
 *
 * <p>Both counts change on every schedule, stop and run, on the owner and on other threads. They
 * share one {@link SplitCount}, so that the owner counts without an atomic and other threads
 * without contending, packed into one {@code long}: {@code stopped * 2^32 + armed}. A stop, which
 * moves one timer from armed to stopped, is then one add of {@code 2^32 - 1} rather than two
 * atomics on a foreign thread. The shares wrap freely; their sum decodes exactly because both
 * counts stay below {@code 2^31} (every armed or stopped timer has an entry, and 2^31 of them
 * would take more than 64 GiB) and a racy read is off by no more than the operations in flight.
 *
 * <p>A limited heap needs one exact armed count that every thread checks against the limit before
 * arming, so there the armed count is one {@link AtomicLong} instead, and the split keeps only the
 * stopped count.
 *
 * <p>Threads: {@code owner*} methods on the owner only; every other method on any thread.
 */
final class TimerCounts {

    /** One stopped entry, in the packed count's upper half. */
    static final long ONE_STOPPED = 1L << 32;

    private final long max;
    private final boolean limited;

    // --- written by any thread ---
    /** Unlimited: stopped and armed, packed. Limited: stopped only (the armed half stays 0). */
    private final SplitCount packed = new SplitCount();
    /** The exact armed count of a limited heap; unused when unlimited. */
    private final AtomicLong limitedArmed = new AtomicLong();

    /** What a full heap adds to its rejection message, such as its top creation site; or "". */
    private final Supplier<String> rejectionDetail;

    TimerCounts(int max, Supplier<String> rejectionDetail) {
        this.max = max;
        this.rejectionDetail = rejectionDetail;
        this.limited = max != Integer.MAX_VALUE;
    }

    /** Whether a {@code maxTimers} limit makes every arming take the atomic count. */
    boolean isLimited() {
        return limited;
    }

    // --- armed: a timer became pending, or stopped being pending without a stop ---

    void ownerArm() {
        if (limited) {
            arm();
        } else {
            packed.ownerAdd(1);
        }
    }

    /**
     * Counts one more armed timer.
     *
     * @throws RejectedExecutionException if the limit is reached; nothing is counted then
     */
    void arm() {
        if (!limited) {
            packed.add(1);
            return;
        }
        long n;
        do {
            n = limitedArmed.get();
            if (n >= max) {
                throw new RejectedExecutionException("TimerHeap is full: maxTimers=" + max + ", pending=" + n
                        + "; timer rejected, nothing already scheduled is affected" + rejectionDetail.get());
            }
        } while (!limitedArmed.compareAndSet(n, n + 1));
    }

    void ownerDisarm() {
        if (limited) {
            disarm();
        } else {
            packed.ownerAdd(-1);
        }
    }

    void disarm() {
        if (limited) {
            limitedArmed.decrementAndGet();
        } else {
            packed.add(-1);
        }
    }

    // --- stopped: PENDING -> STOPPED, and a stopped entry dropped or revived ---

    void ownerStop() {
        if (limited) {
            limitedArmed.decrementAndGet();
            packed.ownerAdd(ONE_STOPPED);
        } else {
            packed.ownerAdd(ONE_STOPPED - 1);
        }
    }

    /** A foreign stop: one striped add when unlimited. */
    void stop() {
        if (limited) {
            limitedArmed.decrementAndGet();
            packed.add(ONE_STOPPED);
        } else {
            packed.add(ONE_STOPPED - 1);
        }
    }

    /** Owner: a stopped timer left that state; its entry was dropped, or it was armed again. */
    void ownerStoppedLeft() {
        packed.ownerAdd(-ONE_STOPPED);
    }

    /** As {@link #ownerStoppedLeft}, on another thread. */
    void stoppedLeft() {
        packed.add(-ONE_STOPPED);
    }

    /** Owner, on close: {@code disarmed} counted timers are armed no more. */
    void ownerClear(long disarmed) {
        if (limited) {
            limitedArmed.addAndGet(-disarmed);
        } else {
            packed.ownerAdd(-disarmed);
        }
    }

    // --- reads: any thread ---

    long armed() {
        return limited ? limitedArmed.get() : armedOf(packed.get());
    }

    long stopped() {
        return stoppedOf(packed.get());
    }

    /** The low half, sign-extended: a racy read may catch it briefly below zero. */
    static long armedOf(long packedSum) {
        return (int) packedSum;
    }

    static long stoppedOf(long packedSum) {
        return (packedSum - armedOf(packedSum)) >> 32;
    }
}
