package org.looptimer.bench.go;

import com.google.gson.GsonBuilder;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.looptimer.bench.report.Row;

/**
 * Go's timer benchmarks from {@code src/time/sleep_test.go}, ported one to one and run three ways
 * ({@link Way}): looptimer's {@code Timers} on a {@code TimerEventLoopGroup}, Netty's API on a
 * {@code TimerEventLoopGroup}, and Netty's API on stock Netty. Rows carry Go's names, so they read
 * next to {@code go test -bench} output.
 *
 * <p>The driver is Go's {@code testing.B}, not JMH, because the figures must mean what Go's mean:
 * <ul>
 *   <li>Go's {@code benchmark()} helper arms 32,768 idle one-hour timers on every P, then runs
 *       {@code bench(1000)} on every P in parallel ({@code b.RunParallel}) until {@code b.N}
 *       operations are done; ns/op is the wall time over {@code b.N}. Here every loop of a group
 *       with one loop per CPU holds 32,768 idle one-hour timers and takes operations from the
 *       shared count ({@link Worker}).</li>
 *   <li>{@code b.N} grows as Go's does until a run lasts the bench time; after an untimed warm-up
 *       (the JIT's, which Go does not need) the run is repeated {@code --count} times, and a row
 *       is the mean ± the standard deviation of those runs.</li>
 *   <li>{@code ParallelTimerLatency} and {@code StaggeredTickerLatency} report {@code avg-late-ns}
 *       and {@code max-late-ns}, how long after its deadline a timer ran, as Go does.</li>
 * </ul>
 *
 * <p>Usage: {@code java -cp benchmarks.jar org.looptimer.bench.go.GoSuite --out <dir> [--quick]}
 * writes {@code <dir>/go-port.json}. Quick: 0.2 s bench time, 2 runs, the staggered-ticker rows
 * with one ticker per loop only; full: 1 s, 5 runs, every row.
 *
 * <p>Threads: the main thread drives; the bodies run on the loops.
 */
public final class GoSuite {

    static final String SUITE = "go";
    /** Go's {@code benchmark()}: idle timers armed on every P before the run. */
    static final int IDLE_TIMERS_PER_LOOP = 1 << 15;

    private final int loops;
    private final long benchTimeNanos;
    private final int count;
    private final boolean quick;
    private final PrintStream log;

    GoSuite(int loops, long benchTimeNanos, int count, boolean quick, PrintStream log) {
        this.loops = loops;
        this.benchTimeNanos = benchTimeNanos;
        this.count = count;
        this.quick = quick;
        this.log = log;
    }

    public static void main(String[] args) throws Exception {
        Path out = null;
        boolean quick = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--out" -> out = Path.of(args[++i]);
                case "--quick" -> quick = true;
                default -> {
                    System.err.println("usage: GoSuite --out <dir> [--quick]");
                    System.exit(2);
                }
            }
        }
        if (out == null) {
            System.err.println("usage: GoSuite --out <dir> [--quick]");
            System.exit(2);
        }
        int cpus = Runtime.getRuntime().availableProcessors();
        GoSuite suite = quick
                ? new GoSuite(cpus, TimeUnit.MILLISECONDS.toNanos(200), 2, true, System.out)
                : new GoSuite(cpus, TimeUnit.SECONDS.toNanos(1), 5, false, System.out);
        List<Row> rows = suite.runAll();
        Files.createDirectories(out);
        Files.writeString(
                out.resolve("go-port.json"),
                new GsonBuilder()
                        .serializeSpecialFloatingPointValues()
                        .setPrettyPrinting()
                        .disableHtmlEscaping()
                        .create()
                        .toJson(rows),
                StandardCharsets.UTF_8);
    }

    List<Row> runAll() throws InterruptedException {
        List<Row> rows = new ArrayList<>();
        for (Way way : Way.values()) {
            MultiThreadIoEventLoopGroup group = way.newGroup(loops);
            try {
                EventLoop[] eventLoops = loopsOf(group);
                List<Object> idle = armIdleTimers(way, eventLoops);
                for (ParallelBench bench : ParallelBench.values()) {
                    rows.add(parallel(way, eventLoops, bench));
                }
                for (EventLoop loop : eventLoops) {
                    onLoop(loop, () -> {});
                }
                stopAll(way, eventLoops, idle);
                rows.addAll(parallelTimerLatency(way, eventLoops));
                rows.addAll(staggeredTickerLatency(way, eventLoops));
            } finally {
                group.shutdownGracefully(0, 10, TimeUnit.SECONDS).syncUninterruptibly();
            }
        }
        return rows;
    }

    /** One row of Go's {@code benchmark()} helper for {@code bench} on {@code way}. */
    Row parallel(Way way, EventLoop[] eventLoops, ParallelBench bench) throws InterruptedException {
        Worker[] workers = new Worker[eventLoops.length];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(way, eventLoops[i]);
        }
        runForBenchTime(workers, bench); // the JIT's warm-up, untimed
        double[] nsPerOp = new double[count];
        for (int k = 0; k < count; k++) {
            nsPerOp[k] = runForBenchTime(workers, bench);
        }
        Row row = Row.measured(SUITE, way.peer, "bench=" + bench.name(), mean(nsPerOp), sd(nsPerOp), "ns/op");
        progress(bench.name(), way, row);
        return row;
    }

    /** Go's {@code b.N} search: grow N until one run lasts the bench time; ns/op of that run. */
    double runForBenchTime(Worker[] workers, ParallelBench bench) throws InterruptedException {
        long n = 1;
        while (true) {
            long elapsed = runOps(workers, bench, n);
            if (elapsed >= benchTimeNanos || n >= 1_000_000_000L) {
                return (double) elapsed / n;
            }
            // Go's predictN: aim 20% past the goal, grow at most 100x, at least by one.
            long goal = (long) (1.2 * benchTimeNanos * n / Math.max(elapsed, 1));
            n = Math.max(n + 1, Math.min(goal, 100 * n));
        }
    }

    /** Runs {@code n} operations of {@code bench} spread over the workers; the wall time taken. */
    static long runOps(Worker[] workers, ParallelBench bench, long n) throws InterruptedException {
        AtomicLong opsLeft = new AtomicLong(n);
        CountDownLatch done = new CountDownLatch(workers.length);
        long start = System.nanoTime();
        for (Worker w : workers) {
            w.begin(bench, opsLeft, done);
        }
        if (!done.await(10, TimeUnit.MINUTES)) {
            throw new IllegalStateException(bench + ": operations did not finish in 10 minutes");
        }
        return System.nanoTime() - start;
    }

    /**
     * Go's {@code BenchmarkParallelTimerLatency}: the main thread, busy with other work, arms
     * {@code loops - 1} timers 1 ms out, one per loop, and spins until all ran; each callback
     * records its lateness and spins until all ran too.
     */
    List<Row> parallelTimerLatency(Way way, EventLoop[] eventLoops) {
        String params = "bench=ParallelTimerLatency";
        int timerCount = eventLoops.length - 1;
        if (timerCount < 1) {
            String why = "skipped: needs 2 CPUs or more, as Go's (GOMAXPROCS < 2)";
            return List.of(
                    Row.skipped(SUITE, way.peer, params, "avg-late-ns", why),
                    Row.skipped(SUITE, way.peer, params, "max-late-ns", why));
        }
        int ops = (int) Math.max(10, benchTimeNanos / TimeUnit.MICROSECONDS.toNanos(2500));
        LatencyStats warm = new LatencyStats(timerCount);
        ParallelTimers timers = new ParallelTimers(way, eventLoops, timerCount);
        timers.run(Math.max(10, ops / 4), warm);
        double[] avg = new double[count];
        double[] max = new double[count];
        for (int k = 0; k < count; k++) {
            LatencyStats stats = new LatencyStats(timerCount);
            doWork(TimeUnit.MILLISECONDS.toNanos(30));
            timers.run(ops, stats);
            avg[k] = stats.average();
            max[k] = stats.max();
        }
        List<Row> rows = List.of(
                Row.measured(SUITE, way.peer, params, mean(avg), sd(avg), "avg-late-ns"),
                Row.measured(SUITE, way.peer, params, mean(max), sd(max), "max-late-ns"));
        progress("ParallelTimerLatency", way, rows.get(0), rows.get(1));
        return rows;
    }

    /**
     * Go's {@code BenchmarkStaggeredTickerLatency}: per loop 1 to 3 ms / work-dur tickers of 3 ms,
     * started staggered; every tick records its lateness, then works for work-dur on the loop.
     */
    List<Row> staggeredTickerLatency(Way way, EventLoop[] eventLoops) throws InterruptedException {
        List<Row> rows = new ArrayList<>();
        long delay = TimeUnit.MILLISECONDS.toNanos(3);
        long[] durations = {TimeUnit.MICROSECONDS.toNanos(300), TimeUnit.MILLISECONDS.toNanos(2)};
        int ticks = (int) Math.max(10, benchTimeNanos / delay);
        for (long dur : durations) {
            int maxPerLoop = quick ? 1 : (int) (delay / dur);
            for (int perLoop = 1; perLoop <= maxPerLoop; perLoop++) {
                String name = "StaggeredTickerLatency/work-dur=" + goDuration(dur) + "/tickers-per-P=" + perLoop;
                String params = "bench=" + name;
                if (eventLoops.length < 2) {
                    String why = "skipped: needs 2 CPUs or more, as Go's (GOMAXPROCS < 2)";
                    rows.add(Row.skipped(SUITE, way.peer, params, "avg-late-ns", why));
                    rows.add(Row.skipped(SUITE, way.peer, params, "max-late-ns", why));
                    continue;
                }
                StaggeredTickers tickers =
                        new StaggeredTickers(way, eventLoops, eventLoops.length * perLoop, delay, dur);
                tickers.run(Math.max(5, ticks / 4), new LatencyStats(tickers.count));
                double[] avg = new double[count];
                double[] max = new double[count];
                for (int k = 0; k < count; k++) {
                    LatencyStats stats = new LatencyStats(tickers.count);
                    tickers.run(ticks, stats);
                    avg[k] = stats.average();
                    max[k] = stats.max();
                }
                Row a = Row.measured(SUITE, way.peer, params, mean(avg), sd(avg), "avg-late-ns");
                Row m = Row.measured(SUITE, way.peer, params, mean(max), sd(max), "max-late-ns");
                progress(name, way, a, m);
                rows.add(a);
                rows.add(m);
            }
        }
        return rows;
    }

    /** Go's {@code Duration.String} for the two work durations: 300µs, 2ms. */
    static String goDuration(long nanos) {
        if (nanos % 1_000_000 == 0) {
            return nanos / 1_000_000 + "ms";
        }
        return nanos / 1_000 + "\u00b5s";
    }

    /** Go's {@code doWork}: spins on the clock for {@code nanos}. */
    static void doWork(long nanos) {
        long start = System.nanoTime();
        while (System.nanoTime() - start < nanos) {
            Thread.onSpinWait();
        }
    }

    private List<Object> armIdleTimers(Way way, EventLoop[] eventLoops) throws InterruptedException {
        List<Object> idle = new ArrayList<>();
        for (EventLoop loop : eventLoops) {
            Object[] handles = new Object[IDLE_TIMERS_PER_LOOP];
            onLoop(loop, () -> {
                for (int j = 0; j < handles.length; j++) {
                    handles[j] = way.start(loop, Worker.NOOP, Worker.HOUR);
                }
            });
            idle.add(handles);
        }
        return idle;
    }

    private static void stopAll(Way way, EventLoop[] eventLoops, List<Object> idle) throws InterruptedException {
        for (int i = 0; i < eventLoops.length; i++) {
            Object[] handles = (Object[]) idle.get(i);
            onLoop(eventLoops[i], () -> {
                for (Object h : handles) {
                    way.stop(h);
                }
            });
        }
    }

    /** Runs {@code body} on {@code loop} and waits for it. */
    static void onLoop(EventLoop loop, Runnable body) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        loop.execute(() -> {
            try {
                body.run();
            } finally {
                done.countDown();
            }
        });
        if (!done.await(1, TimeUnit.MINUTES)) {
            throw new IllegalStateException("loop task did not finish in a minute");
        }
    }

    static EventLoop[] loopsOf(MultiThreadIoEventLoopGroup group) {
        List<EventLoop> list = new ArrayList<>();
        for (EventExecutor e : group) {
            list.add((EventLoop) e);
        }
        return list.toArray(new EventLoop[0]);
    }

    private void progress(String name, Way way, Row... rows) {
        StringBuilder line =
                new StringBuilder(String.format(Locale.ROOT, "  Benchmark%s-%d  %-20s", name, loops, way.peer));
        for (Row r : rows) {
            line.append(String.format(Locale.ROOT, "  %12.0f ± %.0f %s", r.score(), r.error(), r.unit()));
        }
        log.println(line);
    }

    static double mean(double[] xs) {
        double sum = 0;
        for (double x : xs) {
            sum += x;
        }
        return sum / xs.length;
    }

    static double sd(double[] xs) {
        if (xs.length < 2) {
            return Double.NaN;
        }
        double m = mean(xs);
        double sq = 0;
        for (double x : xs) {
            sq += (x - m) * (x - m);
        }
        return Math.sqrt(sq / (xs.length - 1));
    }
}
