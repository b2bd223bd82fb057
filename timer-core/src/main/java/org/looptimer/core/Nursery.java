package org.looptimer.core;

import java.util.Arrays;
import java.util.List;

/**
 * The entries the owner armed since its last pass, unordered, in front of a {@link DeadlineQueue}'s
 * heap and wheels: most request timeouts are cancelled moments after they are armed, often within
 * the same pass, and one that is never leaves these few hot cache lines for a random heap slot or
 * wheel bucket. The queue places what is left at its next pass, or as soon as an entry here could
 * be the earliest of all (the generational idea of garbage collectors, applied to timeouts).
 *
 * <p>Layout: slot {@code i} is {@code keys[i]}, {@code seqs[i]} and {@code timers[i]}, as in the
 * {@link NearHeap}, in arming order. An entry's {@link HeapTimer#index} is {@link #BASE} plus its
 * slot: above every heap slot, so the heap's slots, -1 and the wheels' negative codes keep their
 * meaning. A removal leaves a hole (a null) rather than moving the last entry into it: once the
 * arrays are in the old generation, storing a timer (an object of another region) into them makes
 * G1's post-write barrier (JDK 17) execute a StoreLoad fence, and storing a null does not.
 * Removing the last slot takes back the holes before it, and emptying the nursery takes back all,
 * so each slot is filled and freed at most once per use: O(1) amortized.
 *
 * <p>{@link #min} is never later than any key here: an arming lowers it, a removal leaves it (so
 * it may be early, never late), and emptying resets it. The arrays start small and shrink when
 * they are much bigger than what the last pass left here, so an idle heap holds almost nothing.
 *
 * <p>Threads: owner thread only, no synchronization; {@link #size()} may be read racily for
 * statistics.
 */
final class Nursery {

    /** An entry's index is BASE + its slot; the heap's slots stay below it. */
    static final int BASE = 1 << 30;

    /**
     * Slots at most, holes included: past this the queue places the entries, so a pass that arms a
     * million timers pays for one bounded copy at a time, not for a million-entry nursery.
     */
    static final int CAPACITY = 4096;

    private static final int MIN_CAPACITY = 16;

    private long[] keys = new long[MIN_CAPACITY];
    private int[] seqs = new int[MIN_CAPACITY];
    private HeapTimer[] timers = new HeapTimer[MIN_CAPACITY];
    /** Slots in use, holes included: the next entry goes to slot {@code end}. */
    private int end;
    /** Entries: the slots below {@link #end} that are not holes. */
    private int size;

    private long min = Long.MAX_VALUE;

    static boolean holds(int index) {
        return index >= BASE && index < BASE + CAPACITY;
    }

    int size() {
        return size;
    }

    int capacity() {
        return keys.length;
    }

    /** Whether the next {@link #add} has no slot: every slot is taken, by an entry or a hole. */
    boolean isFull() {
        return end == CAPACITY;
    }

    /** No later than every key here; {@link Long#MAX_VALUE} when empty. */
    long min() {
        return min;
    }

    /** Adds an entry; the nursery must not be full. */
    void add(HeapTimer timer, long key, int seq) {
        int i = end;
        if (i == keys.length) {
            int length = Math.min(CAPACITY, 2 * i);
            keys = Arrays.copyOf(keys, length);
            seqs = Arrays.copyOf(seqs, length);
            timers = Arrays.copyOf(timers, length);
        }
        keys[i] = key;
        seqs[i] = seq;
        timers[i] = timer;
        timer.index = BASE + i;
        end = i + 1;
        size++;
        if (key < min) {
            min = key;
        }
    }

    long key(HeapTimer timer) {
        return keys[timer.index - BASE];
    }

    /** Gives the entry a new key and sequence: an earlier re-arm. */
    void rekey(HeapTimer timer, long key, int seq) {
        int i = timer.index - BASE;
        keys[i] = key;
        seqs[i] = seq;
        if (key < min) {
            min = key;
        }
    }

    /** Gives the entry a new sequence, keeping its key: a lazy re-arm to a later deadline. */
    void setSeq(HeapTimer timer, int seq) {
        seqs[timer.index - BASE] = seq;
    }

    /** Removes the entry, leaving a hole; the timer's index becomes -1. */
    void remove(HeapTimer timer) {
        int i = timer.index - BASE;
        timers[i] = null; // a null store: no barrier fence, see the class comment
        timer.index = -1;
        if (--size == 0) {
            end = 0; // every slot below end is a hole now
            min = Long.MAX_VALUE;
        } else if (i == end - 1) {
            int e = i;
            while (timers[e - 1] == null) { // stops at an entry: size > 0
                e--;
            }
            end = e;
        }
    }

    /** Takes the places of its entries. */
    interface Placer {
        void place(HeapTimer timer, long key, int seq);
    }

    /**
     * Empties the nursery, handing each entry, in arming order, to
     * {@code placer}; each timer's index is -1 when it is handed over.
     */
    void drainTo(Placer placer) {
        int n = end;
        end = 0;
        size = 0;
        min = Long.MAX_VALUE;
        for (int i = 0; i < n; i++) {
            HeapTimer t = timers[i];
            if (t != null) {
                timers[i] = null;
                t.index = -1;
                placer.place(t, keys[i], seqs[i]);
            }
        }
        trimFor(n);
    }

    /** Hands every entry to {@code into}, each timer's index -1, and gives the arrays back. */
    void clear(List<HeapTimer> into) {
        drainTo((timer, key, seq) -> into.add(timer));
        trimFor(0); // closing: nothing more will be armed here
    }

    /**
     * Shrinks the empty arrays to twice the slots the last drain found in use when they are more
     * than four times too big: memory follows what is armed between passes, without regrowing
     * every pass.
     */
    private void trimFor(int drained) {
        int capacity = keys.length;
        if (capacity > MIN_CAPACITY && capacity > 4 * drained) {
            int length = Math.max(MIN_CAPACITY, 2 * drained);
            keys = new long[length];
            seqs = new int[length];
            timers = new HeapTimer[length];
        }
    }
}
