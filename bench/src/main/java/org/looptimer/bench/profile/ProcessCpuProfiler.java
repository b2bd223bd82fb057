package org.looptimer.bench.profile;

import java.lang.management.ManagementFactory;
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
 * A JMH profiler that reports the forked JVM's CPU time per operation ({@code cpu.time.norm},
 * ns/op) next to the wall-clock score: {@code -prof org.looptimer.bench.profile.ProcessCpuProfiler}.
 *
 * <p>Why: on a shared machine with more runnable threads than cores, the benchmark thread is
 * descheduled for part of every iteration and the wall-clock score inflates by the share it lost,
 * differently for every row. CPU time does not count the time the process was not running, so it
 * stays close to the operation's cost on an idle machine (cache and memory-bandwidth interference
 * still show). It counts every thread of the fork: for single-threaded rows that is the benchmark
 * thread plus a little JIT and GC; for {@code nettyHashedWheel} it includes the worker thread's
 * bucket work, which the wall-clock score leaves out; for {@code nettyEventLoopHandoff} it
 * includes the spinning benchmark thread.
 *
 * <p>Threads: JMH calls it on its control thread around each iteration.
 */
public final class ProcessCpuProfiler implements InternalProfiler {

    private final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private long startCpuNanos;

    @Override
    public String getDescription() {
        return "process CPU time per operation (robust to time-slicing on a busy machine)";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        startCpuNanos = os.getProcessCpuTime();
    }

    @Override
    public Collection<? extends Result<?>> afterIteration(
            BenchmarkParams benchmarkParams, IterationParams iterationParams, IterationResult result) {
        long cpu = os.getProcessCpuTime() - startCpuNanos;
        long ops = result.getMetadata().getAllOps();
        double perOp = ops == 0 ? Double.NaN : (double) cpu / ops;
        return List.of(new ScalarResult("cpu.time.norm", perOp, "ns/op", AggregationPolicy.AVG));
    }
}
