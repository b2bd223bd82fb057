package org.looptimer.bench.report;

import java.util.SplittableRandom;

/**
 * Prints the latency of one dependent random load over 64 MiB, the cost every 1M-timer row pays
 * a few times per operation. {@code bench/run} prints it before the suites so that a reader can
 * tell a slow engine from a busy machine: on an idle server it is about 100-160 ns (DRAM + TLB);
 * on a shared, loaded host it can be several times that, and the 1M rows inflate with it.
 *
 * <p>Not a benchmark of anything in looptimer; takes about a second.
 */
public final class MemoryLatency {

    private static final int SLOTS = 16 << 20; // 16M ints = 64 MiB: far beyond any cache
    private static final int STEPS = 2_000_000;

    private MemoryLatency() {}

    public static void main(String[] args) {
        int[] next = randomCycle(SLOTS);
        long best = Long.MAX_VALUE;
        int p = 0;
        for (int round = 0; round < 3; round++) {
            long start = System.nanoTime();
            for (int i = 0; i < STEPS; i++) {
                p = next[p]; // each load's address depends on the previous: no overlap
            }
            best = Math.min(best, System.nanoTime() - start);
        }
        System.out.printf(
                "%.0f ns per dependent random load over 64 MiB (best of 3; sink %d)%n", best / (double) STEPS, p & 1);
    }

    /** A single random cycle through every slot (Sattolo's shuffle), seeded. */
    private static int[] randomCycle(int n) {
        int[] next = new int[n];
        for (int i = 0; i < n; i++) {
            next[i] = i;
        }
        SplittableRandom random = new SplittableRandom(42);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i);
            int t = next[i];
            next[i] = next[j];
            next[j] = t;
        }
        return next;
    }
}
