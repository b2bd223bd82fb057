package org.looptimer.core;

import java.util.ArrayList;
import java.util.List;

/**
 * The owner's priority queue of timer entries: a {@link NearHeap} for what is due soon, in front of
 * a {@link FarWheel} for what is due later, the split of the Linux timer wheel and hrtimers, with
 * exact deadlines on both sides.
 *
 * <p>A new entry goes to the wheel when its bucket starts after the heap's top and after the
 * bucket of the owner's last pass, and is within the wheel's span; else to the heap. The wheel's
 * buckets are cascaded into the heap, first bucket first, whenever the heap's top is not earlier
 * than that bucket's start, and every bucket that starts by a pass's time is cascaded before the
 * pass looks at the top; so the heap's top is always the earliest entry of the whole queue
 * ({@link #topKey} settles this before it answers). A cascaded entry is keyed by its timer's current deadline: an entry re-armed later
 * while it waited goes back to the wheel, in a later bucket, without meeting the heap.
 *
 * <p>What that buys. A server's timeouts of a few equal durations arrive in deadline order; each
 * schedule, stop and re-arm (earlier or later) is O(1) in the wheel, and the heap only ever holds
 * about one bucket (about 34 ms) of deadlines, in which an expiry is O(log4 of that). Random deadlines
 * within the wheel's span (about 4.6 minutes) behave the same; later ones go to the heap.
 *
 * <p>Sequences: every arming takes the next {@code int} from one counter, in the heap and in the
 * wheel alike, and the heap breaks equal deadlines by it, so timers due at the same instant run in
 * the order they were armed wherever they waited.
 *
 * <p>Entry location: {@link HeapTimer#index} is the heap slot ({@code >= 0}), -1 for no entry, or a
 * wheel position ({@code <= -2}, see {@link FarWheel}).
 *
 * <p>Threads: owner thread only, no synchronization. The one exception is {@link TimerHeap#stats()},
 * which reads {@link #size()} and {@link #capacity()} racily from any thread: a statistic may be
 * stale, and an {@code int} never tears.
 */
final class DeadlineQueue {

    /** The heap's smallest capacity; the wheel holds no slot when empty. */
    static final int MIN_CAPACITY = NearHeap.MIN_CAPACITY;

    /** What {@link #topKey} answers for an empty queue. */
    static final long EMPTY = Long.MAX_VALUE;

    private final NearHeap heap = new NearHeap();
    private final FarWheel wheel;
    private int nextSeq;
    /** Entries the last cascade moved into the heap: the room the next one will likely need. */
    private int lastCascade;
    /** First heap slot of the batch being appended, or -1 outside a batch. */
    private int batchFrom = -1;

    /** @param wheelShift log2 of the wheel's bucket width in nanoseconds */
    DeadlineQueue(int wheelShift) {
        this.wheel = new FarWheel(wheelShift);
    }

    /** Decides, during {@link #sweep}, whether an entry stays and under which key. */
    interface Sweeper {
        /** Returns the entry's key from now on, or -1 to drop it. */
        long keep(HeapTimer timer);
    }

    /** Entries, live and stopped, in the heap and the wheel. */
    int size() {
        return heap.size() + wheel.count();
    }

    int capacity() {
        return heap.capacity() + wheel.capacity();
    }

    /** The sequence the next arming will get; entries armed from now on compare >= 0 to it. */
    int peekSeq() {
        return nextSeq;
    }

    /** Whether {@code timer} has an entry here. */
    static boolean contains(HeapTimer timer) {
        return timer.index != -1;
    }

    /** Adds an entry armed now. Inside a batch, a heap entry is appended unordered. */
    void add(HeapTimer timer, long key) {
        place(timer, key, nextSeq++);
    }

    /** Starts a batch of {@link #add}s and {@link #decreaseKey}s; {@link #endBatch} orders it. */
    void beginBatch() {
        batchFrom = heap.size();
    }

    /** Restores heap order after a batch: one sift-up per new entry, or one O(n) rebuild. */
    void endBatch() {
        heap.restoreFrom(batchFrom);
        batchFrom = -1;
    }

    /** The entry's key, or for a wheel entry its bucket's start: never later than its key. */
    long keyOf(HeapTimer timer) {
        int i = timer.index;
        return i >= 0 ? heap.key(i) : wheel.keyOf(timer);
    }

    /** Moves the entry to an earlier key, re-armed now (a new sequence). */
    void decreaseKey(HeapTimer timer, long key) {
        int i = timer.index;
        if (i < 0) {
            wheel.remove(timer);
            add(timer, key);
        } else if (batchFrom >= 0 && i >= batchFrom) {
            heap.rekeyUnordered(i, key, nextSeq++); // appended in this batch, not sifted yet
        } else {
            heap.decreaseKey(i, key, nextSeq++);
        }
    }

    /**
     * Re-arms the entry now, keeping its key: a lazy re-arm to a later deadline. Its new sequence
     * orders it after every entry armed before, at an equal deadline. Not inside a batch.
     */
    void touch(HeapTimer timer) {
        int i = timer.index;
        if (i < 0) {
            wheel.setSeq(timer, nextSeq++); // O(1): the bucket is not ordered
        } else {
            heap.touch(i, nextSeq++);
        }
    }

    /** Removes the entry; the timer's index becomes -1. Not inside a batch. */
    void remove(HeapTimer timer) {
        int i = timer.index;
        if (i < 0) {
            wheel.remove(timer);
        } else {
            heap.removeAt(i);
        }
    }

    // ------------------------------------------------------------------------------------------
    // The top: the earliest entry of heap and wheel together
    // ------------------------------------------------------------------------------------------

    /** The earliest key, or {@link #EMPTY}; cascades wheel buckets first if they may hold it. */
    long topKey() {
        long start = wheel.firstStart();
        if (start != Long.MAX_VALUE && (heap.size() == 0 || heap.key(0) >= start)) {
            settle();
        }
        return heap.size() == 0 ? EMPTY : heap.key(0);
    }

    /** The earliest entry's timer; {@link #topKey} must have answered non-empty just before. */
    HeapTimer top() {
        return heap.timer(0);
    }

    /** The earliest entry's sequence; as {@link #top}. */
    int topSeq() {
        return heap.seq(0);
    }

    /** Removes the earliest entry; as {@link #top}. */
    void removeTop() {
        heap.removeAt(0);
    }

    /**
     * Gives the earliest entry a later key: back into the wheel if the key is in its span, else
     * down the heap.
     *
     * @param rearmed true for a new arming (a ticker's next tick), false to keep its sequence (a
     *     lazy re-arm whose sequence {@link #touch} already set)
     */
    void moveTopDown(long key, boolean rearmed) {
        int seq = rearmed ? nextSeq++ : heap.seq(0);
        if (wheel.spans(key)) {
            place(heap.removeAt(0), key, seq);
        } else {
            heap.moveTopDown(key, seq);
        }
    }

    /**
     * Owner, at the start of a pass at {@code now}: cascades every bucket that starts by then, and
     * moves the wheel's floor to now's bucket. Not inside a batch.
     */
    void advanceTo(long now) {
        while (wheel.firstStart() <= now) {
            cascadeFirst();
        }
        wheel.advanceFloor(now);
    }

    /**
     * Cascades wheel buckets until the heap's top is earlier than every wheel entry. Never inside
     * a batch: the heap must be in order to read its top.
     */
    private void settle() {
        for (long start = wheel.firstStart();
                start != Long.MAX_VALUE && (heap.size() == 0 || heap.key(0) >= start);
                start = wheel.firstStart()) {
            cascadeFirst();
        }
    }

    private void cascadeFirst() {
        FarWheel.Bucket bucket = wheel.takeFirst();
        long number = bucket.number;
        int from = heap.size();
        for (int i = 0; i < bucket.size; i++) {
            HeapTimer t = bucket.timers[i];
            // Keyed by the deadline now in the word: a later re-arm made while it waited moves it
            // on to a later bucket, and the key is never later than the deadline.
            long key = HeapTimer.when(t.word());
            if (wheel.bucketOf(key) <= number || !wheel.tryAdd(t, key, bucket.seqs[i])) {
                heap.append(t, key, bucket.seqs[i]);
            }
        }
        lastCascade = bucket.size;
        wheel.recycle(bucket);
        heap.restoreFrom(from);
    }

    private void place(HeapTimer timer, long key, int seq) {
        // A bucket that starts by the heap's top would be cascaded at the next look at the top:
        // such an entry goes to the heap at once.
        boolean far = heap.size() == 0 || wheel.bucketStart(key) > heap.key(0);
        if (!far || !wheel.tryAdd(timer, key, seq)) {
            if (batchFrom >= 0) {
                heap.append(timer, key, seq);
            } else {
                heap.add(timer, key, seq);
            }
        }
    }

    // ------------------------------------------------------------------------------------------
    // Whole-queue operations
    // ------------------------------------------------------------------------------------------

    /**
     * Drops the entries the sweeper rejects and re-keys the heap's, the way Go's
     * {@code clearDeletedTimers} does, then trims both halves to twice their live count. O(n).
     * Dropped timers get {@code index == -1}.
     */
    void sweep(Sweeper sweeper) {
        heap.sweep(sweeper);
        heap.trimCapacity(2);
        wheel.sweep(sweeper);
    }

    /**
     * Shrinks the heap's arrays when they are more than four times too big for what they hold or
     * for the last cascade; every pass. Without the second, a heap that empties between cascades
     * would shrink and grow again for every bucket (seen as ~65 B/op of garbage at 1M timers).
     */
    void trimCapacity() {
        if (heap.size() < lastCascade) {
            heap.trimCapacity(4, lastCascade);
        } else {
            heap.trimCapacity(4);
        }
    }

    /** Drops every entry, setting each timer's index to -1, and returns them for disarming. */
    List<HeapTimer> clear() {
        List<HeapTimer> all = new ArrayList<>(size());
        heap.clear(all);
        wheel.clear(all);
        return all;
    }
}
