package org.looptimer.core;

import java.util.Arrays;
import java.util.Objects;

/**
 * How late fired timers ran (the pass's clock reading minus the timer's deadline), as a histogram
 * snapshot with fixed logarithmic buckets: a percentile is the upper bound of the bucket it falls
 * in, at most 25% above the true value; {@link #maxNanos()} is exact. Part of {@link TimerStats}.
 *
 * <pre>{@code
 * Lateness late = LoopTimers.of(loop).stats().lateness();
 * log.info("timers: p99 {} us, max {} us", late.percentileNanos(99) / 1000, late.maxNanos() / 1000);
 * }</pre>
 *
 * <p>Lateness is measured against the clock reading that starts a pass over due timers: it is how
 * long after its deadline the loop came to run the timer (a busy poll, a long task, slack), not
 * counting callbacks ahead of it in the same pass.
 *
 * <p>Immutable; any thread.
 */
public final class Lateness {

    private static final Lateness NONE = new Lateness(new long[1], 0);

    /** Counts per bucket, up to the maximum's bucket: the ones above are all empty. */
    private final long[] counts;

    private final long total;
    private final long max;

    Lateness(long[] counts, long max) {
        this.counts = counts;
        this.max = max;
        long sum = 0;
        for (long c : counts) {
            sum += c;
        }
        this.total = sum;
    }

    /** No timer recorded. */
    public static Lateness none() {
        return NONE;
    }

    /** How many fired timers this counts. */
    public long count() {
        return total;
    }

    /** The largest lateness recorded, in nanoseconds; 0 when none. */
    public long maxNanos() {
        return max;
    }

    /**
     * The lateness that {@code percentile} percent of the fired timers did not exceed, in
     * nanoseconds, rounded up to its bucket's bound and never above {@link #maxNanos()}; 0 when no
     * timer was recorded.
     *
     * @param percentile in {@code [0, 100]}
     * @throws IllegalArgumentException if {@code percentile} is outside {@code [0, 100]}
     */
    public long percentileNanos(double percentile) {
        if (!(percentile >= 0 && percentile <= 100)) {
            throw new IllegalArgumentException("percentile must be in [0, 100], was " + percentile);
        }
        if (total == 0) {
            return 0;
        }
        long rank = Math.max(1, (long) Math.ceil(total * (percentile / 100)));
        long seen = 0;
        for (int b = 0; b < counts.length; b++) {
            seen += counts[b];
            if (seen >= rank) {
                return Math.min(LatenessRecorder.upperBound(b), max);
            }
        }
        return max;
    }

    /** Both histograms together: how a group sums its loops. */
    public Lateness plus(Lateness other) {
        Objects.requireNonNull(other, "other");
        long[] sum = Arrays.copyOf(counts, Math.max(counts.length, other.counts.length));
        for (int i = 0; i < other.counts.length; i++) {
            sum[i] += other.counts[i];
        }
        return new Lateness(sum, Math.max(max, other.max));
    }

    /** Equal when every bucket and the maximum are. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Lateness other && max == other.max && Arrays.equals(trimmed(counts), trimmed(other.counts));
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(trimmed(counts)) + Long.hashCode(max);
    }

    private static long[] trimmed(long[] counts) {
        int n = counts.length;
        while (n > 1 && counts[n - 1] == 0) {
            n--;
        }
        return n == counts.length ? counts : Arrays.copyOf(counts, n);
    }

    /** For example {@code p50=1.0us p99=16.4us p999=1.1ms max=2.3ms (n=1204)}. */
    @Override
    public String toString() {
        return "p50=" + human(percentileNanos(50)) + " p99=" + human(percentileNanos(99)) + " p999="
                + human(percentileNanos(99.9)) + " max=" + human(max) + " (n=" + total + ")";
    }

    static String human(long nanos) {
        if (nanos < 1_000) {
            return nanos + "ns";
        }
        if (nanos < 1_000_000) {
            return oneDecimal(nanos, 1_000) + "us";
        }
        if (nanos < 1_000_000_000) {
            return oneDecimal(nanos, 1_000_000) + "ms";
        }
        return oneDecimal(nanos, 1_000_000_000) + "s";
    }

    private static String oneDecimal(long nanos, long unit) {
        long tenths = Math.round(nanos * 10.0 / unit);
        return tenths / 10 + "." + tenths % 10;
    }
}
