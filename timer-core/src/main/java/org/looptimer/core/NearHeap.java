package org.looptimer.core;

import java.util.Arrays;
import java.util.List;

/**
 * The near half of a {@link DeadlineQueue}: a 4-ary min-heap of timer entries kept as a struct of
 * arrays. It holds the entries due before the {@link FarWheel}'s horizon, and any entry the wheel
 * cannot take.
 *
 * <p>Layout: slot {@code i} is {@code keys[i]} (deadline, nanoseconds from the heap's origin),
 * {@code seqs[i]} (arming sequence, the tie-break that makes equal deadlines run first-armed
 * first-run) and {@code timers[i]}. The children of {@code i} are {@code 4i+1 .. 4i+4}. Sifting
 * compares keys in a {@code long[]} and only reads {@code seqs} on a tie; it never dereferences a
 * timer except to store its new slot in {@link HeapTimer#index}. A 4-ary heap is half as deep as a
 * binary one and its four children share a cache line, which is why Go's runtime and JDK 25's
 * ForkJoinPool delay scheduler use it too.
 *
 * <p>Sequences are {@code int}s compared with wrap-around arithmetic ({@code a - b < 0}): the order
 * of two entries with the same deadline is exact as long as they were armed fewer than 2^31
 * armings apart. The caller ({@link DeadlineQueue}) hands out the sequences.
 *
 * <p>Complexity: add O(1) expected for random deadlines, O(log4 n) worst; removal O(log4 n);
 * {@link #heapify()} O(n). Arrays double when full and {@link #trimCapacity} shrinks them to twice
 * the live count, so memory follows the live count.
 *
 * <p>Threads: owner thread only, no synchronization; {@link #size()} and {@link #capacity()} may
 * be read racily for statistics (an {@code int} never tears).
 */
final class NearHeap {

    static final int MIN_CAPACITY = 16;

    /** Slots stay below {@link Nursery#BASE}, where the nursery's index codes begin. */
    static final int MAX_CAPACITY = Nursery.BASE;

    private long[] keys = new long[MIN_CAPACITY];
    private int[] seqs = new int[MIN_CAPACITY];
    private HeapTimer[] timers = new HeapTimer[MIN_CAPACITY];
    private int size;

    int size() {
        return size;
    }

    int capacity() {
        return keys.length;
    }

    long key(int i) {
        return keys[i];
    }

    int seq(int i) {
        return seqs[i];
    }

    HeapTimer timer(int i) {
        return timers[i];
    }

    /** Adds an entry and sifts it into place. */
    void add(HeapTimer timer, long key, int seq) {
        int i = size;
        if (i == keys.length) {
            grow();
        }
        size = i + 1;
        siftUp(i, key, seq, timer);
    }

    /** Appends an entry without sifting; {@link #restoreFrom} must follow the batch. */
    void append(HeapTimer timer, long key, int seq) {
        int i = size;
        if (i == keys.length) {
            grow();
        }
        size = i + 1;
        place(i, key, seq, timer);
    }

    /**
     * Restores heap order after entries were appended at {@code from..size-1}: one sift-up each, or
     * Floyd's O(n) rebuild when the batch is at least as large as what was already there.
     */
    void restoreFrom(int from) {
        int added = size - from;
        if (added <= 0) {
            return;
        }
        if (added >= from) {
            heapify();
        } else {
            for (int i = from; i < size; i++) {
                siftUp(i, keys[i], seqs[i], timers[i]);
            }
        }
    }

    /** Moves entry {@code i} up to an earlier key, with a new sequence. */
    void decreaseKey(int i, long key, int seq) {
        siftUp(i, key, seq, timers[i]);
    }

    /** Re-keys an appended entry that {@link #restoreFrom} has not ordered yet. */
    void rekeyUnordered(int i, long key, int seq) {
        keys[i] = key;
        seqs[i] = seq;
    }

    /**
     * Gives entry {@code i} a later sequence, keeping its key: a lazy re-arm to a later deadline.
     * The later sequence orders it after every same-key entry, so it must sink below those in its
     * subtree: left in place it would hide them, and a sift choosing between siblings would run a
     * later-armed timer first. A leaf (three entries in four) stops at once; an inner entry reads
     * its children's keys and almost always stops there too.
     */
    void touch(int i, int seq) {
        if ((i << 2) + 1 >= size) {
            seqs[i] = seq; // a leaf: nothing below to hide, and no reference store
            return;
        }
        siftDown(i, keys[i], seq, timers[i]);
    }

    /** Gives the top entry a later key and sequence and sifts it down. */
    void moveTopDown(long key, int seq) {
        siftDown(0, key, seq, timers[0]);
    }

    /** Removes entry {@code i} and returns its timer, whose {@code index} becomes -1. */
    HeapTimer removeAt(int i) {
        HeapTimer removed = timers[i];
        int last = --size;
        HeapTimer moved = timers[last];
        long key = keys[last];
        int seq = seqs[last];
        timers[last] = null;
        removed.index = -1;
        if (i != last) {
            if (i > 0 && less(key, seq, (i - 1) >>> 2)) {
                siftUp(i, key, seq, moved);
            } else {
                siftDown(i, key, seq, moved);
            }
        }
        return removed;
    }

    /**
     * Drops the entries the sweeper rejects, re-keys the rest, and rebuilds the heap: O(n), the
     * way Go's {@code clearDeletedTimers} does. Dropped timers get {@code index == -1}.
     */
    void sweep(DeadlineQueue.Sweeper sweeper) {
        int kept = 0;
        for (int i = 0; i < size; i++) {
            HeapTimer t = timers[i];
            long key = sweeper.keep(t);
            if (key < 0) {
                t.index = -1;
            } else {
                place(kept++, key, seqs[i], t);
            }
        }
        Arrays.fill(timers, kept, size, null);
        size = kept;
        heapify();
    }

    /** Drops every entry into {@code into}, setting each timer's index to -1. */
    void clear(List<HeapTimer> into) {
        for (int i = 0; i < size; i++) {
            timers[i].index = -1;
            into.add(timers[i]);
        }
        Arrays.fill(timers, 0, size, null);
        size = 0;
        trimCapacity(4);
    }

    /**
     * Shrinks the arrays to twice the live size when they are more than {@code slack} times too
     * big. Every pass uses 4, so that add/remove around a power of two cannot thrash; after a
     * sweep (rare: a quarter of the heap was deleted) 2 makes capacity at most twice the live
     * count.
     */
    void trimCapacity(int slack) {
        trimCapacity(slack, size);
    }

    /** As {@link #trimCapacity(int)}, sized for {@code expected} entries rather than the live ones. */
    void trimCapacity(int slack, int expected) {
        int capacity = keys.length;
        if (capacity > MIN_CAPACITY && capacity > (long) slack * expected) {
            int target = Math.max(MIN_CAPACITY, 2 * expected);
            keys = Arrays.copyOf(keys, target);
            seqs = Arrays.copyOf(seqs, target);
            timers = Arrays.copyOf(timers, target);
        }
    }

    private void grow() {
        int capacity = keys.length;
        if (capacity == MAX_CAPACITY) {
            throw new IllegalStateException("timer heap cannot grow past " + capacity + " entries");
        }
        int target = Math.min(MAX_CAPACITY, 2 * capacity);
        keys = Arrays.copyOf(keys, target);
        seqs = Arrays.copyOf(seqs, target);
        timers = Arrays.copyOf(timers, target);
    }

    private void heapify() {
        for (int i = (size - 2) >>> 2; i >= 0 && size > 1; i--) {
            siftDown(i, keys[i], seqs[i], timers[i]);
        }
    }

    /** Whether (key, seq) orders before slot {@code j}. Sequences differ, so there are no ties. */
    private boolean less(long key, int seq, int j) {
        long other = keys[j];
        return key < other || (key == other && seq - seqs[j] < 0);
    }

    private void place(int i, long key, int seq, HeapTimer timer) {
        keys[i] = key;
        seqs[i] = seq;
        timers[i] = timer;
        timer.index = i;
    }

    private void siftUp(int i, long key, int seq, HeapTimer timer) {
        while (i > 0) {
            int parent = (i - 1) >>> 2;
            if (!less(key, seq, parent)) {
                break;
            }
            place(i, keys[parent], seqs[parent], timers[parent]);
            i = parent;
        }
        place(i, key, seq, timer);
    }

    private void siftDown(int i, long key, int seq, HeapTimer timer) {
        int n = size;
        while (true) {
            int first = (i << 2) + 1;
            if (first >= n || first < 0) {
                break;
            }
            int best = first;
            long bestKey = keys[first];
            int end = Math.min(first + 4, n);
            for (int c = first + 1; c < end; c++) {
                long k = keys[c];
                if (k < bestKey || (k == bestKey && seqs[c] - seqs[best] < 0)) {
                    best = c;
                    bestKey = k;
                }
            }
            if (!(bestKey < key || (bestKey == key && seqs[best] - seq < 0))) {
                break;
            }
            place(i, bestKey, seqs[best], timers[best]);
            i = best;
        }
        place(i, key, seq, timer);
    }
}
