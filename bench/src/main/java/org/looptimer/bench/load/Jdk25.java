package org.looptimer.bench.load;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ScheduledExecutorService;

/**
 * JDK 25's {@code ForkJoinPool}, which implements {@link ScheduledExecutorService} from that
 * release on (its delay scheduler: a 4-ary heap fed by a pending list). The bench module compiles
 * for Java 17, where the pool is no {@code ScheduledExecutorService}, so the check is made at run
 * time.
 */
final class Jdk25 {

    private Jdk25() {}

    /** Whether this JVM's ForkJoinPool can schedule: JDK 25 or later. */
    static boolean hasScheduledForkJoinPool() {
        return ScheduledExecutorService.class.isAssignableFrom(ForkJoinPool.class);
    }

    /** A one-thread ForkJoinPool as a ScheduledExecutorService; fails with the reason before JDK 25. */
    static ScheduledExecutorService forkJoinPool() {
        if (!hasScheduledForkJoinPool()) {
            throw new UnsupportedOperationException("ForkJoinPool implements ScheduledExecutorService from JDK 25;"
                    + " this is Java " + Runtime.version().feature());
        }
        Object pool = new ForkJoinPool(1);
        return (ScheduledExecutorService) pool;
    }
}
