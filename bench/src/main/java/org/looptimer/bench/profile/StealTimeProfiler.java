package org.looptimer.bench.profile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * A JMH profiler that reports, per iteration, the share of the machine's CPU time the hypervisor
 * gave to other guests ({@code host.steal}, %): {@code -prof
 * org.looptimer.bench.profile.StealTimeProfiler}. Linux only (the {@code steal} column of
 * {@code /proc/stat}); elsewhere it reports nothing.
 *
 * <p>Why: on a shared VM an iteration can run slower because the host took the vCPU away, and
 * neither the wall clock nor the process's CPU time ({@link ProcessCpuProfiler}) says so. An
 * iteration whose score steps up while {@code host.steal} rises is the host's doing; one that
 * steps up with no steal is the benchmark's (or the guest's) own.
 *
 * <p>Threads: JMH calls it on its control thread around each iteration.
 */
public final class StealTimeProfiler implements InternalProfiler {

    private static final Path PROC_STAT = Path.of("/proc/stat");

    /** The {@code cpu} line's columns from user to steal; guest time is already inside user. */
    private static final int COLUMNS = 8;

    private static final int STEAL = 7;

    private long[] before;

    @Override
    public String getDescription() {
        return "share of the machine's CPU time the hypervisor stole per iteration (Linux /proc/stat)";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        before = readTicks();
    }

    @Override
    public Collection<? extends Result<?>> afterIteration(
            BenchmarkParams benchmarkParams, IterationParams iterationParams, IterationResult result) {
        long[] after = readTicks();
        double share = stealShare(before, after);
        if (Double.isNaN(share)) {
            return List.of();
        }
        return List.of(new ScalarResult("host.steal", 100 * share, "%", AggregationPolicy.AVG));
    }

    private static long[] readTicks() {
        try {
            for (String line : Files.readAllLines(PROC_STAT)) {
                if (line.startsWith("cpu ")) {
                    return ticks(line);
                }
            }
        } catch (IOException | SecurityException e) {
            // Not Linux, or not readable here: the profiler reports nothing.
        }
        return null;
    }

    /**
     * The aggregate {@code cpu} line's ticks from user to steal, or null when the line has no
     * steal column (kernels before 2.6.11) or does not parse.
     */
    static long[] ticks(String cpuLine) {
        String[] fields = cpuLine.trim().split("\\s+", -1);
        if (fields.length < COLUMNS + 1 || !fields[0].equals("cpu")) {
            return null;
        }
        long[] ticks = new long[COLUMNS];
        try {
            for (int i = 0; i < COLUMNS; i++) {
                ticks[i] = Long.parseLong(fields[i + 1]);
            }
        } catch (NumberFormatException e) {
            return null;
        }
        return ticks;
    }

    /** Steal ticks over all ticks between two readings, 0..1; NaN when either is missing or no tick passed. */
    static double stealShare(long[] before, long[] after) {
        if (before == null || after == null) {
            return Double.NaN;
        }
        long total = 0;
        for (int i = 0; i < COLUMNS; i++) {
            total += after[i] - before[i];
        }
        return total <= 0 ? Double.NaN : (double) (after[STEAL] - before[STEAL]) / total;
    }
}
