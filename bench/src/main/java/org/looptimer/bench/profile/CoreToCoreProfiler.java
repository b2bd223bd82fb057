package org.looptimer.bench.profile;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * A JMH profiler that reports, per iteration, how long a cache line takes to go from one CPU to
 * another and back ({@code host.c2c}, ns per round trip): {@code -prof
 * org.looptimer.bench.profile.CoreToCoreProfiler}. It bounces a counter between two threads in
 * {@value #WINDOWS} windows of {@value #WINDOW_MILLIS} ms just before the iteration and again just
 * after it, outside the measured time, and reports the fastest window of each reading, averaged
 * over the two. The fastest, because another thread of the benchmark that is still busy (a loop
 * draining what the iteration left) can take a CPU from the two for a window, and what is wanted is
 * the distance between the CPUs, not the wait.
 *
 * <p>Why: on a shared VM the hypervisor moves the guest's vCPUs between physical cores, and the
 * distance between the two cores changes what every line shared by two threads costs. On the
 * 2-vCPU AMD EPYC guests this project is measured on, the round trip holds at 55 to 110 ns for
 * seconds, then at 200 to 330 ns for seconds, and back, with no steal time at all. A benchmark
 * whose threads share a line (two producers on one inbox, a producer and the loop that drains it) steps
 * with it; {@code host.c2c} beside each iteration shows which steps are the host's placement.
 *
 * <p>Threads: JMH calls it on its control thread around each iteration; each reading starts and
 * joins its own responder thread.
 */
public final class CoreToCoreProfiler implements InternalProfiler {

    /** A window's length: thousands of round trips even at their slowest. */
    static final long WINDOW_MILLIS = 2;

    /** Windows per reading, of which the fastest counts. */
    static final int WINDOWS = 10;

    private double before;

    @Override
    public String getDescription() {
        return "cache-line round trip between two threads around each iteration (ns), the host's core placement";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        before = fastestRoundTripNanos();
    }

    @Override
    public Collection<? extends Result<?>> afterIteration(
            BenchmarkParams benchmarkParams, IterationParams iterationParams, IterationResult result) {
        double after = fastestRoundTripNanos();
        if (Double.isNaN(before) || Double.isNaN(after)) {
            return List.of();
        }
        return List.of(new ScalarResult("host.c2c", (before + after) / 2, "ns", AggregationPolicy.AVG));
    }

    /** The fastest of {@link #WINDOWS} readings, or NaN if none completed a round trip. */
    static double fastestRoundTripNanos() {
        double fastest = Double.NaN;
        for (int i = 0; i < WINDOWS; i++) {
            double nanos = roundTripNanos(TimeUnit.MILLISECONDS.toNanos(WINDOW_MILLIS));
            if (Double.isNaN(fastest) || nanos < fastest) {
                fastest = nanos;
            }
        }
        return fastest;
    }

    /**
     * Bounces a counter between this thread and a responder for {@code windowNanos} and returns
     * the mean time of one round trip, or NaN if not one completed (both threads on one CPU that
     * never switched between them, say). The responder ends before this returns.
     */
    static double roundTripNanos(long windowNanos) {
        // Volatile reads and writes: each side spins on the other's last write, so every round
        // trip moves the line to the other CPU and back, which is what is measured.
        AtomicLong ball = new AtomicLong();
        Thread responder = new Thread(
                () -> {
                    for (long seen = 1; ; seen += 2) {
                        long v;
                        while ((v = ball.get()) != seen) {
                            if (v < 0) {
                                return; // stopped
                            }
                        }
                        // A CAS, not a set: a stop that came after the read above must stay seen.
                        if (!ball.compareAndSet(seen, seen + 1)) {
                            return;
                        }
                    }
                },
                "core-to-core-responder");
        responder.setDaemon(true);
        responder.start();
        long trips = 0;
        long start = System.nanoTime();
        long elapsed;
        try {
            do {
                // Batches between clock reads, so that the read stays out of the round trips.
                for (int i = 0; i < 256; i++) {
                    long serve = 2 * trips + 1;
                    ball.set(serve);
                    for (int spins = 1; ball.get() != serve + 1; spins++) {
                        // The clock only now and then, so that its read does not delay the catch.
                        if ((spins & 0xFFFF) == 0 && System.nanoTime() - start > 4 * windowNanos) {
                            return Double.NaN; // the responder never ran: report nothing
                        }
                    }
                    trips++;
                }
                elapsed = System.nanoTime() - start;
            } while (elapsed < windowNanos);
        } finally {
            ball.set(-1);
            joinQuietly(responder);
        }
        return (double) elapsed / trips;
    }

    private static void joinQuietly(Thread t) {
        try {
            t.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
