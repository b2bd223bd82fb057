package org.looptimer.bench.report;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The project's performance targets, checked against a set of JMH results. A target whose rows
 * are missing from the results (a partial run) is skipped, not failed.
 *
 * <p>Verdicts use the wall-clock point estimate (the JMH score); when the run used
 * {@code ProcessCpuProfiler}, the CPU-time figure and its own verdict follow, because on a busy
 * machine the wall clock inflates with time the benchmark spent descheduled. Verdicts use the
 * point estimate; the error is printed beside it, so a verdict that sits inside the error bar is
 * visible as such. "0 B/op" means {@code gc.alloc.rate.norm < 1}: JMH's
 * own bookkeeping leaves a fraction of a byte per operation, while a real allocation on the path
 * costs at least 16 bytes each time it happens.
 *
 * <p>Two lines are not about speed. One checks the run itself: every looptimer row's error bar
 * must be at most a fifth of its score, or the row is a question rather than a result. The other
 * is information: the in-loop ratio to stock Netty with one clock read (the run's
 * {@code TickerReadBenchmark} row) taken off both scores, since both loops pay that read.
 */
final class Targets {

    private static final String LIVE_10K = "liveTimers=10000";
    private static final String LIVE_1M = "liveTimers=1000000";
    private static final double ZERO_ALLOCATION = 1.0;
    /** The widest error bar, relative to its score, that a looptimer row may have to be a result. */
    static final double MAX_RELATIVE_ERROR = 0.2;
    /** Suites whose every row is looptimer's: the re-arm variants and the leak-detection levels. */
    private static final Set<String> LOOPTIMER_SUITES = Set.of("rearm", "leakDetection");
    /** The clock read both loops pay per {@code schedule} ({@code TickerReadBenchmark.systemTicker}). */
    private static final String CLOCK_SUITE = "tickerRead";

    private static final String CLOCK_PEER = "systemTicker";

    private Targets() {}

    static String check(List<Row> rows) {
        StringBuilder out = new StringBuilder();
        maxTime(out, rows, "churn", "looptimerAt", LIVE_10K, 30, "scheduleAt+stop pair, 10k live");
        maxTime(out, rows, "churn", "looptimerAt", LIVE_1M, 45, "scheduleAt+stop pair, 1M live");
        // schedule() reads the clock, as these peers do: it must be ahead of each of them.
        for (String peer : List.of("nettyEventLoop", "nettyHashedWheel", "jdkScheduledPool")) {
            speedup(out, rows, "churn", "looptimer", peer, LIVE_10K, 1, peer + " / schedule, 10k live");
            speedup(out, rows, "churn", "looptimer", peer, LIVE_1M, 1, peer + " / schedule, 1M live");
        }
        rearm(out, rows, LIVE_10K, "later re-arm (hot), 10k live");
        rearm(out, rows, LIVE_1M, "later re-arm (hot), 1M live");
        String inLoop = "inLoopScheduleCancel.scheduleCancel";
        speedup(
                out,
                rows,
                inLoop,
                "looptimer",
                "netty",
                LIVE_10K + ",transport=nio",
                1.5,
                "stock / Netty API, 10k live");
        speedup(out, rows, inLoop, "looptimer", "netty", LIVE_1M + ",transport=nio", 2, "stock / Netty API, 1M live");
        netOfClockRead(out, rows, inLoop, LIVE_10K + ",transport=nio", "10k live");
        netOfClockRead(out, rows, inLoop, LIVE_1M + ",transport=nio", "1M live");
        // "Within 1.5x of Agrona's wheel": Agrona / looptimer at least 1 / 1.5.
        speedup(out, rows, "hold", "looptimer", "agronaWheel", LIVE_1M, 1 / 1.5, "hold: Agrona / looptimer, 1M");
        errorBars(out, rows);
        return out.length() == 0 ? "" : "targets (point estimates):\n" + out;
    }

    /**
     * Information, not a target: the in-loop ratio with one clock read taken off both scores. Both
     * loops read the clock once per {@code schedule} with a delay; on a VM with a slow clock source
     * that read is a floor under both scores, and this line shows the schedulers' own work apart.
     */
    private static void netOfClockRead(StringBuilder out, List<Row> rows, String suite, String params, String size) {
        Optional<Row> clock = find(rows, CLOCK_SUITE, CLOCK_PEER, "");
        Optional<Row> base = find(rows, suite, "looptimer", params);
        Optional<Row> stock = find(rows, suite, "netty", params);
        if (clock.isEmpty() || base.isEmpty() || stock.isEmpty()) {
            return;
        }
        double read = clock.get().score();
        double ours = base.get().score() - read;
        double theirs = stock.get().score() - read;
        String measured = ours > 0 ? fmt(theirs / ours) + "x" : "n/a";
        out.append(String.format(
                "  %-40s %-18s %-32s %s%n",
                "stock / Netty API, " + size + ", net",
                "(information)",
                measured,
                "one clock read (" + fmt(read) + " ns) off both scores"));
    }

    /**
     * Every looptimer time row's error bar at most a fifth ({@value #MAX_RELATIVE_ERROR}) of its
     * score: a wider one is a question about the run, not a result. One line, listing the rows that fail.
     */
    private static void errorBars(StringBuilder out, List<Row> rows) {
        List<Row> ours = rows.stream()
                .filter(r -> r.isMeasured() && r.unit().equals("ns/op") && isLooptimerRow(r))
                .toList();
        if (ours.isEmpty()) {
            return;
        }
        List<String> wide = ours.stream()
                .filter(r -> !(r.error() <= MAX_RELATIVE_ERROR * r.score())) // a NaN error is wide too
                .map(r -> r.suite() + "." + r.peer() + (r.params().isEmpty() ? "" : " " + r.params()) + " "
                        + (Double.isNaN(r.error()) ? "(no error)" : fmt(100 * r.error() / r.score()) + "%"))
                .toList();
        String what = "error <= " + Math.round(100 * MAX_RELATIVE_ERROR) + "% of score";
        String measured = (ours.size() - wide.size()) + " of " + ours.size() + " looptimer rows";
        String verdict = wide.isEmpty() ? "MET" : "MISSED: " + String.join("; ", wide);
        out.append(String.format("  %-40s %-18s %-32s %s%n", what, "every row", measured, verdict));
    }

    /** A JMH row of looptimer's own: its peer is a looptimer variant, or its suite is looptimer's alone. */
    private static boolean isLooptimerRow(Row r) {
        return !r.suite().equals("go") && (r.peer().startsWith("looptimer") || LOOPTIMER_SUITES.contains(r.suite()));
    }

    private static void maxTime(
            StringBuilder out, List<Row> rows, String suite, String peer, String params, double max, String what) {
        find(rows, suite, peer, params)
                .ifPresent(r -> line(
                        out,
                        what,
                        "<= " + fmt(max) + " ns",
                        fmt(r.score()) + " ± " + fmt(r.error()) + " ns",
                        r.score() <= max,
                        r.cpuPerOp(),
                        r.cpuPerOp() <= max));
    }

    /** Peer's time over the baseline's, at least {@code min}: the baseline is that much faster. */
    private static void speedup(
            StringBuilder out,
            List<Row> rows,
            String suite,
            String baseline,
            String peer,
            String params,
            double min,
            String what) {
        Optional<Row> base = find(rows, suite, baseline, params);
        Optional<Row> other = find(rows, suite, peer, params);
        if (base.isPresent() && other.isPresent()) {
            double ratio = other.get().score() / base.get().score();
            double cpuRatio = other.get().cpuPerOp() / base.get().cpuPerOp();
            line(
                    out,
                    what,
                    ">= " + fmt(min) + "x",
                    fmt(ratio) + "x",
                    ratio >= min,
                    Double.isNaN(cpuRatio) ? Double.NaN : cpuRatio,
                    cpuRatio >= min,
                    "x");
        }
    }

    private static void rearm(StringBuilder out, List<Row> rows, String params, String what) {
        find(rows, "rearm", "laterRearmHot", params).ifPresent(r -> {
            boolean allocKnown = !Double.isNaN(r.allocPerOp());
            String alloc = allocKnown ? fmt(r.allocPerOp()) + " B/op" : "alloc not measured";
            boolean zero = allocKnown && r.allocPerOp() < ZERO_ALLOCATION;
            line(
                    out,
                    what,
                    "<= 10 ns, 0 B/op",
                    fmt(r.score()) + " ± " + fmt(r.error()) + " ns, " + alloc,
                    r.score() <= 10 && zero,
                    r.cpuPerOp(),
                    r.cpuPerOp() <= 10 && zero);
        });
    }

    private static Optional<Row> find(List<Row> rows, String suite, String peer, String params) {
        return rows.stream()
                .filter(r -> r.suite().equals(suite)
                        && r.peer().equals(peer)
                        && r.params().equals(params))
                .findFirst();
    }

    private static void line(
            StringBuilder out, String what, String target, String measured, boolean met, double cpu, boolean cpuMet) {
        line(out, what, target, measured, met, cpu, cpuMet, " ns");
    }

    /** Verdict by the wall-clock score; the CPU-time figure and its verdict follow if measured. */
    private static void line(
            StringBuilder out,
            String what,
            String target,
            String measured,
            boolean met,
            double cpu,
            boolean cpuMet,
            String cpuUnit) {
        String verdict = met ? "MET" : "MISSED";
        if (!Double.isNaN(cpu)) {
            verdict = String.format("%-6s (cpu time %s%s: %s)", verdict, fmt(cpu), cpuUnit, cpuMet ? "MET" : "MISSED");
        }
        out.append(String.format("  %-40s %-18s %-32s %s%n", what, target, measured, verdict));
    }

    private static String fmt(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        return Math.abs(v) >= 100 ? String.format("%.0f", v) : String.format("%.2f", v);
    }
}
