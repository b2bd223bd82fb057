package org.looptimer.bench.profile;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CoreToCoreProfilerTest {

    @Test
    void aReadingIsARoundTripTimeAndLeavesNoThreadBehind() {
        double nanos = CoreToCoreProfiler.roundTripNanos(TimeUnit.MILLISECONDS.toNanos(20));
        // Bounds a shared CI machine keeps: a cache-line round trip takes tens to hundreds of ns;
        // two threads on one CPU take up to a scheduler quantum per trip, still far below 20 ms.
        assertFalse(Double.isNaN(nanos), "two threads that can run should complete round trips");
        assertTrue(nanos > 1 && nanos < TimeUnit.MILLISECONDS.toNanos(20), "round trip of " + nanos + " ns");
        assertTrue(responderGone(), "the responder thread ends with the reading");
    }

    private static boolean responderGone() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            boolean alive = Thread.getAllStackTraces().keySet().stream()
                    .anyMatch(t -> t.getName().equals("core-to-core-responder") && t.isAlive());
            if (!alive) {
                return true;
            }
            Thread.onSpinWait();
        }
        return false;
    }
}
