package org.looptimer.bench.netty;

import io.netty.util.concurrent.Ticker;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The clock read that every {@code EventLoop.schedule(task, delay, unit)} pays, stock Netty's and
 * {@code TimerEventLoop}'s alike: the delay counts from a reading taken by the call, so neither can
 * skip it. Measured beside {@link InLoopScheduleCancelBenchmark} so that its rows can be read as
 * "clock read + the scheduler's own work": on a VM whose clock source is {@code kvm-clock}, one
 * read costs about as much as the rest of looptimer's schedule + cancel pair.
 *
 * <ul>
 *   <li>{@code systemTicker}: {@link Ticker#systemTicker()}{@code .nanoTime()}, what both loops
 *       read ({@code System.nanoTime()} minus a fixed origin).
 *   <li>{@code systemNanoTime}: {@link System#nanoTime()} itself.
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TickerReadBenchmark {

    private final Ticker ticker = Ticker.systemTicker();

    @Benchmark
    public long systemTicker() {
        return ticker.nanoTime();
    }

    @Benchmark
    public long systemNanoTime() {
        return System.nanoTime();
    }
}
