package org.looptimer.core;

import java.util.List;

/**
 * The near entries that arrived in deadline order, beside a {@link DeadlineQueue}'s heap: a FIFO
 * whose head is its earliest entry. A server arms a few equal timeouts, so each new near deadline
 * is usually no earlier than the last one placed; such an entry is appended here in O(1) and
 * leaves from the head in O(1), where the heap would sift it down its whole depth on every
 * expiry. This is Node.js's one list per duration, without knowing the durations: an entry that
 * would break the order goes to the heap instead, and the queue's top is the earlier of the two.
 *
 * <p>Layout: a ring of {@code keys}, {@code seqs} and {@code timers}, as in the {@link NearHeap},
 * between the positions {@code head} (the earliest entry) and {@code tail} (the next free slot).
 * Order: every entry's (key, sequence) is greater than its predecessor's. A removal leaves a hole
 * (a null timer, whose store G1's barrier does not fence, as in the {@link Nursery}); the head and
 * the tail never rest on one, so the head is always an entry.
 *
 * <p>An entry's {@link HeapTimer#index} is {@link #BASE} plus its slot: above the nursery's codes,
 * so every other code keeps its meaning. Growing or shrinking the ring moves the entries to the
 * front of new arrays and re-indexes them: O(n), once per doubling or quartering.
 *
 * <p>Threads: owner thread only, no synchronization; {@link #size()} and {@link #capacity()} may
 * be read racily for statistics.
 */
final class SortedRun {

    /** An entry's index is BASE + its slot; the heap's and the nursery's codes stay below it. */
    static final int BASE = Nursery.BASE + Nursery.CAPACITY;

    /** Slots at most: past this, entries go to the heap. Fits the codes below Integer.MAX_VALUE. */
    static final int MAX_CAPACITY = 1 << 29;

    private static final int MIN_CAPACITY = 16;

    private static final long[] NO_KEYS = {};
    private static final int[] NO_SEQS = {};
    private static final HeapTimer[] NO_TIMERS = {};

    // Empty until the first entry, and again after clear(): a closed heap holds nothing here.
    private long[] keys = NO_KEYS;
    private int[] seqs = NO_SEQS;
    private HeapTimer[] timers = NO_TIMERS;
    /** Capacity - 1; the capacity is a power of two, or 0. */
    private int mask = -1;
    /** Position of the earliest entry; positions grow without bound and wrap, slots are masked. */
    private int head;
    /** Position the next entry takes. {@code tail - head} is the span, holes included. */
    private int tail;
    /** Entries: the span without its holes. */
    private int size;

    static boolean holds(int index) {
        return index >= BASE;
    }

    int size() {
        return size;
    }

    int capacity() {
        return keys.length;
    }

    /** The earliest key, or {@link DeadlineQueue#EMPTY} when empty. */
    long headKey() {
        return size == 0 ? DeadlineQueue.EMPTY : keys[head & mask];
    }

    int headSeq() {
        return seqs[head & mask];
    }

    HeapTimer head() {
        return timers[head & mask];
    }

    long key(HeapTimer timer) {
        return keys[timer.index - BASE];
    }

    /** Whether {@link #offer} would take an entry of this key and sequence. */
    boolean accepts(long key, int seq) {
        if (size == 0) {
            return true;
        }
        int last = (tail - 1) & mask;
        long lastKey = keys[last];
        if (key < lastKey || (key == lastKey && seq - seqs[last] < 0)) {
            return false;
        }
        return tail - head < keys.length || keys.length < MAX_CAPACITY;
    }

    /**
     * Appends the entry if it orders after the last one; false, with nothing changed, if it does
     * not or the run is at its largest.
     */
    boolean offer(HeapTimer timer, long key, int seq) {
        if (!accepts(key, seq)) {
            return false;
        }
        if (tail - head == keys.length) {
            resize(Math.max(MIN_CAPACITY, 2 * keys.length));
        }
        int slot = tail & mask;
        keys[slot] = key;
        seqs[slot] = seq;
        timers[slot] = timer;
        timer.index = BASE + slot;
        tail++;
        size++;
        return true;
    }

    /**
     * Gives the entry a new sequence, keeping its key (a lazy re-arm to a later deadline), if the
     * order survives it: the entry is the last, or the next slot holds a later key. A renewed
     * sequence behind a stale key would otherwise order the entry after an equal-keyed successor
     * that must come first, and the queue only compares heads. False, with nothing changed, if the
     * order might not survive: the caller places the entry anew.
     */
    boolean trySetSeq(HeapTimer timer, int seq) {
        int slot = timer.index - BASE;
        if (slot != ((tail - 1) & mask)) {
            int next = (slot + 1) & mask;
            if (timers[next] == null || keys[next] == keys[slot]) {
                return false;
            }
        }
        seqs[slot] = seq;
        return true;
    }

    /** Removes the earliest entry and returns it; its index becomes -1. */
    HeapTimer removeHead() {
        int slot = head & mask;
        HeapTimer t = timers[slot];
        timers[slot] = null;
        t.index = -1;
        head++;
        if (--size == 0) {
            head = tail = 0;
        } else {
            while (timers[head & mask] == null) { // stops at an entry: size > 0
                head++;
            }
        }
        return t;
    }

    /** Removes the entry, leaving a hole if it is neither first nor last; its index becomes -1. */
    void remove(HeapTimer timer) {
        int slot = timer.index - BASE;
        timers[slot] = null;
        timer.index = -1;
        if (--size == 0) {
            head = tail = 0;
        } else if (slot == (head & mask)) {
            while (timers[head & mask] == null) {
                head++;
            }
        } else if (slot == ((tail - 1) & mask)) {
            while (timers[(tail - 1) & mask] == null) {
                tail--;
            }
        }
    }

    /**
     * Drops the entries the sweeper rejects; an entry whose key changes leaves for the heap
     * (appended there unordered: the caller restores the heap's order), since its new key may
     * break this run's order. The rest close ranks in order. O(span).
     */
    void sweep(DeadlineQueue.Sweeper sweeper, NearHeap heap) {
        int kept = head;
        for (int p = head; p != tail; p++) {
            int slot = p & mask;
            HeapTimer t = timers[slot];
            if (t == null) {
                continue;
            }
            timers[slot] = null;
            long key = sweeper.keep(t);
            if (key < 0) {
                t.index = -1;
                size--;
            } else if (key != keys[slot]) {
                t.index = -1;
                size--;
                heap.append(t, key, seqs[slot]);
            } else {
                int to = kept++ & mask;
                keys[to] = key;
                seqs[to] = seqs[slot];
                timers[to] = t;
                t.index = BASE + to;
            }
        }
        tail = kept;
        if (size == 0) {
            head = tail = 0;
        }
        trimCapacity(2);
    }

    /** Drops every entry into {@code into}, setting each timer's index to -1. */
    void clear(List<HeapTimer> into) {
        for (int p = head; p != tail; p++) {
            HeapTimer t = timers[p & mask];
            if (t != null) {
                t.index = -1;
                into.add(t);
            }
        }
        head = tail = size = 0;
        keys = NO_KEYS;
        seqs = NO_SEQS;
        timers = NO_TIMERS;
        mask = -1;
    }

    /**
     * Shrinks the ring to twice its span when it is more than {@code slack} times too big: every
     * pass uses 4, so that a span around a power of two cannot thrash.
     */
    void trimCapacity(int slack) {
        int span = tail - head;
        int capacity = keys.length;
        if (capacity > MIN_CAPACITY && capacity > (long) slack * span) {
            resize(Math.max(MIN_CAPACITY, Integer.highestOneBit(Math.max(1, span)) << 1));
        }
    }

    /** Moves the span to the front of new arrays of {@code capacity} slots, at least the span. */
    private void resize(int capacity) {
        long[] newKeys = new long[capacity];
        int[] newSeqs = new int[capacity];
        HeapTimer[] newTimers = new HeapTimer[capacity];
        int n = 0;
        for (int p = head; p != tail; p++, n++) {
            int slot = p & mask;
            HeapTimer t = timers[slot];
            newKeys[n] = keys[slot];
            newSeqs[n] = seqs[slot];
            newTimers[n] = t;
            if (t != null) {
                t.index = BASE + n;
            }
        }
        keys = newKeys;
        seqs = newSeqs;
        timers = newTimers;
        mask = capacity - 1;
        head = 0;
        tail = n;
    }
}
