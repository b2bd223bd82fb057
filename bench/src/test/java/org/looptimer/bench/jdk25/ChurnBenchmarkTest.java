package org.looptimer.bench.jdk25;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.Test;

/**
 * On a JDK 25 the ForkJoinPool churn row cancels every timer it scheduled; on an older JDK its
 * setup fails with a message that says to run it on a JDK 25 (bench/run then reports it skipped).
 */
class ChurnBenchmarkTest {

    @Test
    void cancelsEveryTimerOnJdk25OrSaysWhyNot() {
        ChurnBenchmark bench = new ChurnBenchmark();
        bench.liveTimers = 2_000;
        if (!ScheduledExecutorService.class.isAssignableFrom(ForkJoinPool.class)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, bench::setUp);
            assertTrue(e.getMessage().contains("JDK 25"), e.getMessage());
            bench.forkJoinPool.shutdownNow();
            return;
        }
        bench.setUp();
        try {
            for (int i = 0; i < 5; i++) {
                assertTrue(bench.jdk25ForkJoinPool(), "a cancel returned false");
            }
        } finally {
            bench.tearDown();
        }
    }
}
