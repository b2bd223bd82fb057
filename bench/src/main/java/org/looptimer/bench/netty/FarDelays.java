package org.looptimer.bench.netty;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Precomputed far-future delays from a seeded random, so every run and every compared loop sees
 * the same sequence and no random number is drawn on a measured path.
 */
final class FarDelays {

    static final long ONE_HOUR_NANOS = TimeUnit.HOURS.toNanos(1);

    private FarDelays() {}

    /**
     * {@code count} delays uniform in [{@code fromNanos}, {@code fromNanos + spreadNanos}), in
     * nanoseconds, drawn from {@code seed}.
     */
    static long[] uniform(int count, long fromNanos, long spreadNanos, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        long[] delays = new long[count];
        for (int i = 0; i < count; i++) {
            delays[i] = fromNanos + random.nextLong(spreadNanos);
        }
        return delays;
    }
}
