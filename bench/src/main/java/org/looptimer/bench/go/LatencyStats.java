package org.looptimer.bench.go;

/**
 * Go's per-timer lateness statistics ({@code stats[j]} in {@code sleep_test.go}): sum, max and
 * count of how long after its deadline each run of timer {@code j} came, clamped at zero.
 *
 * <p>Threads: slot {@code j} is written by the one loop that runs timer {@code j}; the driver
 * reads after the happens-before edge its benchmark provides (an atomic count or a latch).
 */
final class LatencyStats {

    private final long[] sum;
    private final long[] max;
    private final long[] count;

    LatencyStats(int timers) {
        sum = new long[timers];
        max = new long[timers];
        count = new long[timers];
    }

    /** The loop of timer {@code j}: one run, {@code lateNanos} after its deadline. */
    void record(int j, long lateNanos) {
        long late = Math.max(0, lateNanos);
        count[j]++;
        sum[j] += late;
        if (late > max[j]) {
            max[j] = late;
        }
    }

    /** Go's {@code avg-late-ns}: the mean over every run of every timer. */
    double average() {
        long total = 0;
        long samples = 0;
        for (int j = 0; j < sum.length; j++) {
            total += sum[j];
            samples += count[j];
        }
        return samples == 0 ? Double.NaN : (double) total / samples;
    }

    /** Go's {@code max-late-ns}. */
    double max() {
        long m = 0;
        for (long x : max) {
            m = Math.max(m, x);
        }
        return m;
    }

    /** How many runs were recorded, over all timers. */
    long samples() {
        long samples = 0;
        for (long c : count) {
            samples += c;
        }
        return samples;
    }
}
