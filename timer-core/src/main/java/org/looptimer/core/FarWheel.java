package org.looptimer.core;

import java.util.Arrays;
import java.util.List;

/**
 * One level of a {@link DeadlineQueue}'s wheels: entries due after the current bucket, in buckets
 * of deadline, the way the Linux timer wheel and Seastar bucket far deadlines. Adding and removing
 * an entry is O(1) whatever the deadlines; a bucket is only ordered when it comes near and the
 * queue cascades it into the {@link NearHeap} (the inner level, buckets of 2^25 ns, about 34 ms)
 * or into the inner level (the outer level, buckets of 2^31 ns, about 2 s). Most idle timeouts are
 * stopped, or re-armed later, before their bucket comes near, and never meet the heap.
 *
 * <p>Deadlines stay exact: a bucket only says where an entry waits, and its entries carry their
 * arming sequences, so the heap orders them exactly once they are cascaded.
 *
 * <p>Layout: a ring of {@value #SLOTS} buckets, so a level spans {@value #SLOTS} bucket widths past
 * its floor, the bucket of the owner's last pass (about 4.6 minutes inner, 4.9 hours outer); an
 * entry due later goes to the next level or the heap, and so does one due within the floor's
 * bucket. Bucket {@code b} (absolute: deadline {@code >>} {@code shift}) lives
 * in slot {@code b % SLOTS}; the ring holds buckets {@code floor + 1 .. floor + SLOTS}, so a slot
 * is never shared. A bucket is two parallel arrays (timer, arming
 * sequence: 8 bytes an entry with compressed oops) in arming order, until a removal swaps the last
 * entry into the hole. A bitmap of non-empty slots finds the next bucket without walking empty ones.
 *
 * <p>An entry's {@link HeapTimer#index} is {@code -2 - (pos << POS_SHIFT | level | slot)}, where
 * {@code level} is {@link #SLOTS} for the outer level and 0 for the inner: negative, so the heap's
 * slots and -1 ("no entry") keep their meaning, and it locates the entry, level included, in O(1).
 *
 * <p>Memory follows the live count: a bucket's arrays grow by half as it fills; an emptied bucket is kept
 * for reuse only while the spare buckets hold fewer slots than the wheel has entries, and a sweep
 * trims every bucket to twice its size.
 *
 * <p>Threads: owner thread only, no synchronization; {@link #count()} and {@link #capacity()} may
 * be read racily for statistics.
 */
final class FarWheel {

    /**
     * By default a bucket spans 2^25 ns, about 34 ms, of deadlines. A bucket is cascaded into the
     * heap in one go, so its width bounds that pause: with 2 s buckets, a loop firing 100k timers a
     * second moved 200k entries at once and ran its timers up to 30 ms late (p99); with 34 ms
     * buckets the same load stays under 2 ms. The price is the span, below: timers due later than
     * it go straight to the heap, exact but O(log n).
     */
    static final int DEFAULT_SHIFT = 25;

    /**
     * The outer level's buckets are 2^6 times wider than the inner's: 2^31 ns, about 2.1 s, by
     * default. Its span, 2^44 ns (about 4.9 hours), holds the hour-long timeouts of idle
     * connections; an outer bucket is moved into the inner level while the inner's span still
     * reaches past its end, minutes before any of it is due, a bounded slice per pass.
     */
    static final int OUTER_EXTRA_SHIFT = 6;

    static final int SLOT_BITS = 13;

    /** Buckets in the ring: with {@link #DEFAULT_SHIFT}, a span of 2^38 ns, about 4.6 minutes. */
    static final int SLOTS = 1 << SLOT_BITS;

    /** Where an index code's position starts: above the slot and the level bit. */
    private static final int POS_SHIFT = SLOT_BITS + 1;

    /** The most entries a bucket holds: a position must fit the index code beside slot and level. */
    static final int MAX_BUCKET_SIZE = (1 << (31 - POS_SHIFT)) - 1;

    private static final int MASK = SLOTS - 1;
    private static final int MIN_BUCKET_CAPACITY = 2; // a sparse wheel, one timer a bucket, costs 2x

    /** Takes the entries of an outer bucket as {@link #drainFirst} hands them out. */
    interface Sink {
        /** Places {@code timer}, which left bucket {@code from} (its index is -1 now). */
        void accept(HeapTimer timer, int seq, long from);
    }

    /** One bucket's entries. Owner only. */
    static final class Bucket {
        long number;
        HeapTimer[] timers = new HeapTimer[MIN_BUCKET_CAPACITY];
        int[] seqs = new int[MIN_BUCKET_CAPACITY];
        int size;
        /** The next spare bucket, while this one is spare. */
        Bucket nextSpare;
    }

    /** log2 of a bucket's width in nanoseconds. */
    private final int shift;
    /** {@link #SLOTS} in the index codes of the outer level, 0 in the inner's. */
    private final int levelBit;

    private final Bucket[] ring = new Bucket[SLOTS];
    private final long[] nonEmpty = new long[SLOTS / Long.SIZE];
    /** Bit {@code w} set while {@code nonEmpty[w]} is not zero: a search reads at most 2 + 1 words. */
    private final long[] nonEmptyWords = new long[SLOTS / Long.SIZE / Long.SIZE];

    /**
     * The bucket of the owner's last pass, or bucket 0 before any: the wheel takes later buckets
     * only. The queue cascades every bucket up to a pass's time before it moves the floor there.
     */
    private long floor;
    /** The first non-empty bucket, or -1 when it must be looked up again. */
    private long first = -1;

    private int count;
    private int capacity;
    private Bucket spares;
    private int spareCapacity;

    /**
     * @param shift log2 of a bucket's width in nanoseconds; tests use narrow buckets
     * @param outer whether this is the outer level: its index codes carry the level bit
     */
    FarWheel(int shift, boolean outer) {
        if (shift < 0 || shift > 50) {
            throw new IllegalArgumentException("bucket width 2^" + shift + " ns");
        }
        this.shift = shift;
        this.levelBit = outer ? SLOTS : 0;
    }

    /** Whether a wheel index code ({@code <= -2}) is the outer level's. */
    static boolean isOuter(int index) {
        return ((-2 - index) & SLOTS) != 0;
    }

    int count() {
        return count;
    }

    /** Entry slots in the buckets in use. */
    int capacity() {
        return capacity;
    }

    /** Whether a deadline falls in the wheel's span, past its floor. */
    boolean spans(long key) {
        long ahead = (key >> shift) - floor;
        return ahead > 0 && ahead <= SLOTS;
    }

    /** Whether a deadline falls in the floor's bucket or earlier: due by the end of the last pass's. */
    boolean reached(long key) {
        return (key >> shift) - floor <= 0;
    }

    /** The bucket a deadline falls in. */
    long bucketOf(long key) {
        return key >> shift;
    }

    /** The first nanosecond of the bucket a deadline falls in. */
    long bucketStart(long key) {
        return (key >> shift) << shift;
    }

    /** The first nanosecond past the span: {@link #tryAdd} takes only earlier deadlines. */
    long horizon() {
        return (floor + SLOTS + 1) << shift;
    }

    /**
     * Moves the floor to the bucket of {@code now}; the caller has cascaded every bucket that
     * starts at or before it, so every entry left is in a later bucket.
     */
    void advanceFloor(long now) {
        floor = Math.max(floor, now >> shift);
    }

    /**
     * Adds an entry if its deadline is in the wheel's span and its bucket has room.
     *
     * @return false if the heap must take it
     */
    boolean tryAdd(HeapTimer timer, long key, int seq) {
        long number = key >> shift; // signed: a negative key stays behind the floor
        long ahead = number - floor;
        if (ahead <= 0 || ahead > SLOTS) {
            return false;
        }
        int slot = (int) number & MASK;
        Bucket bucket = ring[slot];
        if (bucket == null) {
            bucket = openBucket(slot, number);
        } else if (bucket.size == MAX_BUCKET_SIZE) {
            return false;
        }
        int pos = bucket.size;
        if (pos == bucket.timers.length) {
            grow(bucket);
        }
        bucket.timers[pos] = timer;
        bucket.seqs[pos] = seq;
        bucket.size = pos + 1;
        timer.index = code(pos, slot);
        count++;
        return true;
    }

    /** Removes {@code timer}'s entry (its index must be a wheel code); its index becomes -1. */
    void remove(HeapTimer timer) {
        int code = -2 - timer.index;
        int slot = code & MASK;
        int pos = code >>> POS_SHIFT;
        Bucket bucket = ring[slot];
        int last = --bucket.size;
        if (pos != last) {
            HeapTimer moved = bucket.timers[last];
            bucket.timers[pos] = moved;
            bucket.seqs[pos] = bucket.seqs[last];
            moved.index = code(pos, slot);
        }
        bucket.timers[last] = null;
        timer.index = -1;
        count--;
        if (last == 0) {
            closeBucket(slot, bucket);
        }
    }

    /** The earliest deadline {@code timer}'s bucket can hold: never later than its key. */
    long keyOf(HeapTimer timer) {
        return ring[(-2 - timer.index) & MASK].number << shift;
    }

    /** Gives {@code timer}'s entry a new arming sequence. */
    void setSeq(HeapTimer timer, int seq) {
        int code = -2 - timer.index;
        ring[code & MASK].seqs[code >>> POS_SHIFT] = seq;
    }

    /** The earliest deadline any entry can have, or {@link Long#MAX_VALUE} when empty. */
    long firstStart() {
        return count == 0 ? Long.MAX_VALUE : firstBucket() << shift;
    }

    /** The first nanosecond past the first non-empty bucket, or {@link Long#MAX_VALUE} when empty. */
    long firstEnd() {
        return count == 0 ? Long.MAX_VALUE : (firstBucket() + 1) << shift;
    }

    /**
     * Detaches the first non-empty bucket; the caller takes its entries
     * (their indexes are stale) and then hands it to {@link #recycle}.
     */
    Bucket takeFirst() {
        long number = firstBucket();
        int slot = (int) number & MASK;
        Bucket bucket = ring[slot];
        ring[slot] = null;
        markEmpty(slot);
        first = -1;
        count -= bucket.size;
        capacity -= bucket.timers.length;
        return bucket;
    }

    /**
     * Takes up to {@code max} entries out of the first non-empty bucket, last first, and hands
     * each to {@code sink}, which may add to this wheel in a later bucket; the bucket closes when
     * it is empty. The entries left keep their positions, so a bucket can be moved over several
     * passes. The wheel must not be empty.
     *
     * @return how many entries were taken
     */
    int drainFirst(int max, Sink sink) {
        long number = firstBucket();
        int slot = (int) number & MASK;
        Bucket bucket = ring[slot];
        int taken = 0;
        while (taken < max && bucket.size > 0) {
            int last = --bucket.size;
            HeapTimer t = bucket.timers[last];
            bucket.timers[last] = null;
            t.index = -1;
            count--;
            taken++;
            sink.accept(t, bucket.seqs[last], number);
        }
        if (bucket.size == 0) {
            closeBucket(slot, bucket);
        }
        return taken;
    }

    /** Takes back a bucket from {@link #takeFirst} once its entries are placed elsewhere. */
    void recycle(Bucket bucket) {
        Arrays.fill(bucket.timers, 0, bucket.size, null);
        bucket.size = 0;
        keepSpare(bucket);
    }

    /**
     * Drops the entries {@code sweeper} rejects, and trims every bucket to twice its size. Kept
     * entries stay in their buckets: their deadline is never earlier than the bucket's start,
     * unless an earlier re-arm is on its way through the inbox, which moves them.
     */
    void sweep(DeadlineQueue.Sweeper sweeper) {
        for (int slot = nextSetBit(0); slot >= 0; slot = nextSetBit(slot + 1)) {
            Bucket bucket = ring[slot];
            int kept = 0;
            for (int i = 0; i < bucket.size; i++) {
                HeapTimer t = bucket.timers[i];
                if (sweeper.keep(t) < 0) {
                    t.index = -1;
                } else {
                    bucket.timers[kept] = t;
                    bucket.seqs[kept] = bucket.seqs[i];
                    t.index = code(kept, slot);
                    kept++;
                }
            }
            Arrays.fill(bucket.timers, kept, bucket.size, null);
            count -= bucket.size - kept;
            bucket.size = kept;
            if (kept == 0) {
                closeBucket(slot, bucket);
            } else if (bucket.timers.length > 2 * kept && bucket.timers.length > MIN_BUCKET_CAPACITY) {
                resize(bucket, Math.max(MIN_BUCKET_CAPACITY, 2 * kept));
            }
        }
        spares = null; // memory follows the live count after a sweep: no spare outlives it
        spareCapacity = 0;
    }

    /** Drops every entry into {@code into}, setting each timer's index to -1. */
    void clear(List<HeapTimer> into) {
        for (int slot = nextSetBit(0); slot >= 0; slot = nextSetBit(slot + 1)) {
            Bucket bucket = ring[slot];
            for (int i = 0; i < bucket.size; i++) {
                bucket.timers[i].index = -1;
                into.add(bucket.timers[i]);
            }
            ring[slot] = null;
        }
        Arrays.fill(nonEmpty, 0);
        Arrays.fill(nonEmptyWords, 0);
        count = 0;
        capacity = 0;
        first = -1;
        spares = null;
        spareCapacity = 0;
    }

    private int code(int pos, int slot) {
        return -2 - ((pos << POS_SHIFT) | levelBit | slot);
    }

    private Bucket openBucket(int slot, long number) {
        Bucket bucket = spares;
        if (bucket != null) {
            spares = bucket.nextSpare;
            bucket.nextSpare = null;
            spareCapacity -= bucket.timers.length;
        } else {
            bucket = new Bucket();
        }
        bucket.number = number;
        ring[slot] = bucket;
        capacity += bucket.timers.length;
        nonEmpty[slot >>> 6] |= 1L << slot;
        nonEmptyWords[slot >>> 12] |= 1L << (slot >>> 6);
        if (count == 0) {
            first = number;
        } else if (first >= 0 && number < first) {
            first = number;
        }
        return bucket;
    }

    private void closeBucket(int slot, Bucket bucket) {
        ring[slot] = null;
        markEmpty(slot);
        capacity -= bucket.timers.length;
        if (bucket.number == first) {
            first = -1;
        }
        keepSpare(bucket);
    }

    /** Keeps an empty bucket for the next one opened, while spares hold fewer slots than live entries. */
    private void keepSpare(Bucket bucket) {
        int length = bucket.timers.length;
        if ((long) spareCapacity + length <= count) {
            bucket.nextSpare = spares;
            spares = bucket;
            spareCapacity += length;
        }
    }

    /** By half: a bucket fills once and is cascaded, so slack costs more than the extra copies. */
    private void grow(Bucket bucket) {
        int length = bucket.timers.length;
        resize(bucket, Math.min(MAX_BUCKET_SIZE, length + Math.max(2, length >> 1))); // no overflow: < 2^17
    }

    private void resize(Bucket bucket, int length) {
        capacity += length - bucket.timers.length;
        bucket.timers = Arrays.copyOf(bucket.timers, length);
        bucket.seqs = Arrays.copyOf(bucket.seqs, length);
    }

    /** The first non-empty bucket after the floor; the wheel must not be empty. */
    private long firstBucket() {
        long number = first;
        if (number < 0) {
            int start = (int) (floor + 1) & MASK;
            int slot = nextSetBit(start);
            if (slot < 0) {
                slot = nextSetBit(0); // the ring wrapped past its end
            }
            number = floor + 1 + ((slot - start) & MASK);
            first = number;
        }
        return number;
    }

    private void markEmpty(int slot) {
        int word = slot >>> 6;
        if ((nonEmpty[word] &= ~(1L << slot)) == 0) {
            nonEmptyWords[word >>> 6] &= ~(1L << word);
        }
    }

    /**
     * The first non-empty slot at or after {@code from}, or -1: the slot's own word, then the
     * summary of words, so no search walks empty words one by one.
     */
    private int nextSetBit(int from) {
        if (from >= SLOTS) {
            return -1;
        }
        int word = from >>> 6;
        long bits = nonEmpty[word] & (-1L << from);
        if (bits != 0) {
            return (word << 6) + Long.numberOfTrailingZeros(bits);
        }
        for (int w = word + 1, summary = w >>> 6; summary < nonEmptyWords.length; summary++) {
            long words = nonEmptyWords[summary] & (summary == w >>> 6 ? -1L << w : -1L);
            if (words != 0) {
                int next = (summary << 6) + Long.numberOfTrailingZeros(words);
                return (next << 6) + Long.numberOfTrailingZeros(nonEmpty[next]);
            }
        }
        return -1;
    }
}
