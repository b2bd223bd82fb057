package org.looptimer.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.local.LocalIoHandler;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What a pending timer armed through Netty's {@code EventLoop.schedule} costs on a
 * {@link TimerEventLoop}: the future (which is the heap's timer) plus its heap slot, measured as the
 * growth of the heap after full collections, as a user would see it. Stock Netty pays 68 B.
 *
 * <p>The measurement runs in a JVM of its own with ParallelGC, whose "used after a full GC" counts
 * bytes; G1 would count the heap's large arrays in whole regions.
 */
class ScheduledFootprintTest {

    private static final int TIMERS = 500_000;
    private static final long ONE_HOUR_NANOS = TimeUnit.HOURS.toNanos(1);
    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

    /** The one task every timer shares, so that only the timers themselves are counted. */
    private static final Runnable TASK = new SharedTask();

    private static final class SharedTask implements Runnable {
        @Override
        public void run() {}
    }

    @Test
    void aPendingScheduleCostsAtMost64BytesIncludingItsHeapSlot() throws Exception {
        Process measure = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-XX:+UseParallelGC",
                        "-Xmx1g",
                        "-cp",
                        System.getProperty("java.class.path"),
                        ScheduledFootprintTest.class.getName())
                .redirectErrorStream(true)
                .start();
        assertTrue(measure.waitFor(2, TimeUnit.MINUTES), "the measuring JVM did not finish");
        String output = new String(measure.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, measure.exitValue(), output);
        String printed = output.strip();
        double perTimer = Double.parseDouble(
                printed.substring(printed.lastIndexOf('\n') + 1).strip());
        // Layout: 40 B future + 16 B slot; the arrays' slack after doubling adds about 1 B here.
        // Measured 56.8 B (the future and its timer as two objects cost 112.8 B).
        assertTrue(perTimer <= 64, "bytes per pending EventLoop.schedule timer: " + perTimer);
    }

    /** The measuring JVM: prints the bytes per pending timer on its last line. */
    // The loop keeps every future; holding them here too would add to the bytes measured.
    @SuppressWarnings({"FutureReturnValueIgnored", "SystemOut"})
    public static void main(String[] args) throws InterruptedException, IOException {
        TimerEventLoopGroup group = new TimerEventLoopGroup(1, LocalIoHandler.newFactory());
        try {
            TimerEventLoop loop = group.next();
            loop.submit(() -> {}).sync(); // the loop thread and its first allocations exist before we measure
            long before = usedAfterGc();
            loop.submit(() -> {
                        SplittableRandom random = new SplittableRandom(42);
                        for (int i = 0; i < TIMERS; i++) {
                            // Far and spread out, as idle timeouts: uniform in 1-2 h, none fires.
                            loop.schedule(TASK, ONE_HOUR_NANOS + random.nextLong(ONE_HOUR_NANOS), TimeUnit.NANOSECONDS);
                        }
                    })
                    .sync();
            long after = usedAfterGc();
            long pending = loop.timers().stats().pendingTimers();
            if (pending != TIMERS) {
                throw new IllegalStateException("expected " + TIMERS + " pending timers, found " + pending);
            }
            System.out.println((after - before) / (double) TIMERS);
        } finally {
            Loops.shutdown(group);
        }
    }

    /** Heap used after full collections, repeated until it stops falling. */
    private static long usedAfterGc() {
        long last = Long.MAX_VALUE;
        for (int round = 0; round < 10; round++) {
            System.gc();
            long used = MEMORY.getHeapMemoryUsage().getUsed();
            if (last - used < 64 * 1024) {
                return Math.min(used, last);
            }
            last = used;
            Loops.sleepMillis(20);
        }
        return last;
    }
}
