package org.looptimer.core;

import java.util.Arrays;

/**
 * The owner's priority queue of timer entries: a 4-ary min-heap kept as a struct of arrays.
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
 * armings apart. Four bytes a slot instead of eight keeps a one-shot timer within 48 bytes.
 *
 * <p>Complexity: add O(1) expected for random deadlines, O(log4 n) worst; removal O(log4 n);
 * {@link #heapify()} O(n). Arrays double when full and {@link #trimCapacity()} shrinks them to
 * twice the live count when they are more than four times too big (twice, after a sweep), so
 * memory follows the live count.
 *
 * <p>Threads: owner thread only, no synchronization. The one exception is {@link TimerHeap#stats()},
 * which reads {@link #size()} and {@link #capacity()} racily from any thread: a statistic may be
 * stale, and an {@code int} never tears.
 */
final class DeadlineQueue {

    static final int MIN_CAPACITY = 16;

    private long[] keys = new long[MIN_CAPACITY];
    private int[] seqs = new int[MIN_CAPACITY];
    private HeapTimer[] timers = new HeapTimer[MIN_CAPACITY];
    private int size;
    private int nextSeq;

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

    /** The sequence the next arming will get; entries armed from now on compare >= 0 to it. */
    int peekSeq() {
        return nextSeq;
    }

    /** Adds an entry armed now and sifts it into place. */
    void add(HeapTimer timer, long key) {
        int i = size;
        if (i == keys.length) {
            grow();
        }
        size = i + 1;
        siftUp(i, key, nextSeq++, timer);
    }

    /** Appends an entry armed now without sifting; {@link #restoreFrom} must follow the batch. */
    void append(HeapTimer timer, long key) {
        int i = size;
        if (i == keys.length) {
            grow();
        }
        size = i + 1;
        place(i, key, nextSeq++, timer);
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

    /** Moves entry {@code i} to an earlier key, re-armed now (a fresh sequence). */
    void decreaseKey(int i, long key) {
        siftUp(i, key, nextSeq++, timers[i]);
    }

    /** Re-keys an appended entry that {@link #restoreFrom} has not ordered yet; re-armed now. */
    void rekeyUnordered(int i, long key) {
        keys[i] = key;
        seqs[i] = nextSeq++;
    }

    /**
     * Gives entry {@code i} a fresh sequence, keeping its key: a lazy re-arm to a later deadline.
     * The fresh sequence orders it after every same-key entry, so it must sink below those in its
     * subtree: left in place it would hide them, and a sift choosing between siblings would run a
     * later-armed timer first. A leaf (three entries in four) stops at once; an inner entry reads
     * its children's keys and almost always stops there too.
     */
    void touch(int i) {
        if ((i << 2) + 1 >= size) {
            seqs[i] = nextSeq++; // a leaf: nothing below to hide, and no reference store
            return;
        }
        siftDown(i, keys[i], nextSeq++, timers[i]);
    }

    /**
     * Gives the top entry a later key and sifts it down.
     *
     * @param rearmed true for a new arming (a ticker's next tick), false to keep its sequence (a
     *     lazy re-arm whose sequence {@link #touch} already set)
     */
    void moveTopDown(long key, boolean rearmed) {
        siftDown(0, key, rearmed ? nextSeq++ : seqs[0], timers[0]);
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

    /** Decides, during {@link #sweep}, whether an entry stays and under which key. */
    interface Sweeper {
        /** Returns the entry's key from now on, or -1 to drop it. */
        long keep(HeapTimer timer);
    }

    /**
     * Drops the entries the sweeper rejects, re-keys the rest, and rebuilds the heap: O(n), the
     * way Go's {@code clearDeletedTimers} does. Dropped timers get {@code index == -1}.
     */
    void sweep(Sweeper sweeper) {
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

    /** Drops every entry, setting each timer's index to -1, and returns them for disarming. */
    HeapTimer[] clear() {
        HeapTimer[] all = Arrays.copyOf(timers, size);
        for (HeapTimer t : all) {
            t.index = -1;
        }
        Arrays.fill(timers, 0, size, null);
        size = 0;
        trimCapacity();
        return all;
    }

    /** Shrinks the arrays to twice the live size when they are more than four times too big. */
    void trimCapacity() {
        trimCapacity(4);
    }

    /**
     * Shrinks the arrays to twice the live size when they are more than {@code slack} times too
     * big. Every pass uses 4, so that add/remove around a power of two cannot thrash; after a
     * sweep (rare: a quarter of the heap was deleted) 2 makes capacity at most twice the live
     * count.
     */
    void trimCapacity(int slack) {
        int capacity = keys.length;
        if (capacity > MIN_CAPACITY && capacity > (long) slack * size) {
            int target = Math.max(MIN_CAPACITY, 2 * size);
            keys = Arrays.copyOf(keys, target);
            seqs = Arrays.copyOf(seqs, target);
            timers = Arrays.copyOf(timers, target);
        }
    }

    private void grow() {
        int capacity = keys.length;
        if (capacity == Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("timer heap cannot grow past " + capacity + " entries");
        }
        int target = (int) Math.min(Integer.MAX_VALUE - 8L, 2L * capacity);
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
