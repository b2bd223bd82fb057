package org.looptimer.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link Deadlines#coalesce}: per-timer slack, never early, at most the slack late, shared deadlines. */
class CoalesceTest {

    @Test
    void roundsUpToAGridNoCoarserThanTheSlack() {
        SplittableRandom random = new SplittableRandom(42);
        long slack = 10_000_000; // 10 ms: a grid of 2^23 ns, about 8.4 ms
        for (int i = 0; i < 100_000; i++) {
            long deadline = random.nextLong(0, Long.MAX_VALUE / 2);
            long c = Deadlines.coalesce(deadline, slack);
            assertTrue(c >= deadline && c - deadline < slack, deadline + " -> " + c);
            assertEquals(0, c % (1L << 23), "on the grid");
        }
    }

    @Test
    void edges() {
        assertEquals(123, Deadlines.coalesce(123, 0), "no slack");
        assertEquals(123, Deadlines.coalesce(123, -5));
        assertEquals(Long.MAX_VALUE, Deadlines.coalesce(Long.MAX_VALUE, 1000), "never stays never");
        assertEquals(Long.MAX_VALUE, Deadlines.coalesce(Long.MAX_VALUE - 3, 1024), "past the range saturates");
        assertEquals(1024, Deadlines.coalesce(1024, 1500), "already on the grid");
        assertEquals(2048, Deadlines.coalesce(1025, 1500));
    }
}
