package org.looptimer.bench.netty;

import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The fixed cost inside every in-loop benchmark here: handing an empty task to an idle loop
 * ({@link LoopBatch}: {@code execute} wakes the loop, the loop unparks the benchmark thread),
 * divided by {@value InLoopScheduleCancelBenchmark#PAIRS} as {@link InLoopScheduleCancelBenchmark}
 * and {@link IdleReadBenchmark} divide theirs, so that their score minus this one is the work done
 * in the loop.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"})
public class LoopHandoffBenchmark {

    @Param({Loops.NETTY, Loops.LOOPTIMER})
    String loop;

    @Param({"nio"})
    String transport;

    private MultiThreadIoEventLoopGroup group;
    private LoopBatch empty;

    @Setup(Level.Trial)
    public void setUp() {
        group = Loops.newGroup(loop, Transport.named(transport).newFactory());
        empty = new LoopBatch(group.next(), () -> {});
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        Loops.shutdown(group);
    }

    @Benchmark
    @OperationsPerInvocation(InLoopScheduleCancelBenchmark.PAIRS)
    public void handoff() {
        empty.runAndWait();
    }
}
