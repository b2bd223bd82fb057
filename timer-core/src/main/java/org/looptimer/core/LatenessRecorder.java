package org.looptimer.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * How late a heap's timers ran: a histogram with fixed logarithmic buckets, written by the owner
 * as each timer fires and read by anyone as a {@link Lateness} snapshot.
 *
 * <p>Buckets: values 0 to 3 ns have one bucket each; above that, every power of two is split into
 * four buckets, so a bucket's upper bound is at most 25% above any value in it. 248 buckets cover
 * every {@code long}; recording is a leading-zero count, a shift and one store, with no allocation
 * and no sampling.
 *
 * <p>Threads: {@link #record} on the owner only; {@link #snapshot} on any thread. The owner's
 * stores are opaque (on x86 and ARM a plain store of the whole value): a reader on another thread
 * sees each counter whole and never older than its last read, with no fence on the owner's path.
 * A snapshot is not a cut of one instant: counts recorded while it copies may be in or out, which
 * is as consistent as a percentile needs.
 */
final class LatenessRecorder {

    /** Buckets per power of two, as a shift: 4. */
    static final int SUB_BITS = 2;

    static final int SUB = 1 << SUB_BITS;

    static final int BUCKETS = SUB + (63 - SUB_BITS) * SUB;

    private static final VarHandle COUNT = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle MAX;

    static {
        try {
            MAX = MethodHandles.lookup().findVarHandle(LatenessRecorder.class, "max", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final long[] counts = new long[BUCKETS];

    /** Read and written through {@link #MAX}, opaque; see the class comment. */
    // Only accessed through MAX.
    @SuppressWarnings("UnusedVariable")
    private long max;

    /** The bucket holding {@code nanos}, which is {@code >= 0}. */
    static int bucket(long nanos) {
        if (nanos < SUB) {
            return (int) nanos;
        }
        int exponent = 63 - Long.numberOfLeadingZeros(nanos); // >= SUB_BITS
        int sub = (int) (nanos >>> (exponent - SUB_BITS)) & (SUB - 1);
        return SUB + (exponent - SUB_BITS) * SUB + sub;
    }

    /** The largest value that falls into {@code bucket}. */
    static long upperBound(int bucket) {
        if (bucket < SUB) {
            return bucket;
        }
        int exponent = (bucket - SUB) / SUB + SUB_BITS;
        long sub = (long) (bucket - SUB) % SUB;
        long lower = (1L << exponent) + (sub << (exponent - SUB_BITS));
        long width = 1L << (exponent - SUB_BITS);
        return lower + (width - 1);
    }

    /** Owner: a timer ran {@code nanos} after its deadline; negative values count as 0. */
    void record(long nanos) {
        long late = Math.max(0, nanos);
        int b = bucket(late);
        COUNT.setOpaque(counts, b, (long) COUNT.getOpaque(counts, b) + 1);
        if (late > (long) MAX.getOpaque(this)) {
            MAX.setOpaque(this, late);
        }
    }

    /** Any thread: a copy of the counts; see the class comment for how consistent it is. */
    Lateness snapshot() {
        long max = (long) MAX.getOpaque(this);
        // No bucket above the maximum's holds anything yet; one that fills after this read is
        // simply not in this snapshot.
        long[] copy = new long[bucket(max) + 1];
        for (int i = 0; i < copy.length; i++) {
            copy[i] = (long) COUNT.getOpaque(counts, i);
        }
        return new Lateness(copy, max);
    }
}
