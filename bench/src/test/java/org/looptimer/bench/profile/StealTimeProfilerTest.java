package org.looptimer.bench.profile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The steal share must come from the right column of {@code /proc/stat}, over every column. */
class StealTimeProfilerTest {

    @Test
    void readsUserToStealFromTheAggregateLine() {
        long[] ticks = StealTimeProfiler.ticks("cpu  1206822 54 125638 5106129 697 0 4158 36117 0 0");
        assertArrayEquals(new long[] {1206822, 54, 125638, 5106129, 697, 0, 4158, 36117}, ticks);
    }

    @Test
    void aLineWithoutAStealColumnOrNotTheAggregateGivesNothing() {
        assertNull(StealTimeProfiler.ticks("cpu  1206822 54 125638 5106129 697 0 4158"));
        assertNull(StealTimeProfiler.ticks("cpu0 602528 54 63451 2553790 137 0 2029 17994 0 0"));
        assertNull(StealTimeProfiler.ticks("cpu  12 x 3 4 5 6 7 8"));
    }

    @Test
    void stealShareIsStealTicksOverAllTicksBetweenTwoReadings() {
        long[] before = StealTimeProfiler.ticks("cpu  1000 0 100 5000 0 0 0 100 0 0");
        // 400 ticks passed (2 s on 2 CPUs at 100 Hz): 300 user, 40 idle, 60 stolen.
        long[] after = StealTimeProfiler.ticks("cpu  1300 0 100 5040 0 0 0 160 0 0");
        assertEquals(0.15, StealTimeProfiler.stealShare(before, after), 1e-12);
    }

    @Test
    void noReadingOrNoTickPassedIsNotAShare() {
        long[] reading = StealTimeProfiler.ticks("cpu  1000 0 100 5000 0 0 0 100 0 0");
        assertTrue(Double.isNaN(StealTimeProfiler.stealShare(null, reading)));
        assertTrue(Double.isNaN(StealTimeProfiler.stealShare(reading, null)));
        assertTrue(Double.isNaN(StealTimeProfiler.stealShare(reading, reading)));
    }
}
