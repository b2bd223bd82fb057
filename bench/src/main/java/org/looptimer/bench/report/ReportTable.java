package org.looptimer.bench.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Prints JMH JSON results ({@code -rf json}) as one compact table: suite and implementation,
 * parameters, score ± error, unit, the ratio to the looptimer row of the same suite and
 * parameters, and the allocation per operation when the run used {@code -prof gc}.
 *
 * <p>With {@code -prof org.looptimer.bench.profile.ProcessCpuProfiler} it adds the fork's CPU time
 * per operation and its ratio: on a busy machine the wall-clock score inflates with the time the
 * benchmark thread was descheduled, and CPU time does not.
 *
 * <p>Convention, the same in every suite and in {@link Report}: the row whose peer is
 * {@code looptimer} is the baseline, and every other row of the same suite and parameters is shown
 * as {@code score / looptimer score} (for times, 3.00x means three times slower than looptimer).
 * {@link JmhResults} says how a JMH result names its peer.
 *
 * <p>Usage: {@code java -cp benchmarks.jar org.looptimer.bench.report.ReportTable results.json...}
 */
public final class ReportTable {

    private static final String BASELINE = Report.BASELINE;

    private ReportTable() {}

    public static void main(String[] args) throws IOException {
        if (args.length == 0) {
            System.err.println("usage: ReportTable <jmh-result.json>...");
            System.exit(2);
        }
        List<Row> rows = new ArrayList<>();
        for (String file : args) {
            rows.addAll(JmhResults.read(Path.of(file)));
        }
        System.out.print(format(rows));
        String targets = Targets.check(rows);
        if (!targets.isEmpty()) {
            System.out.println();
            System.out.print(targets);
        }
    }

    // Rows are compared by identity: the baseline row itself, not a row of equal values.
    @SuppressWarnings("ReferenceEquality")
    static String format(List<Row> rows) {
        // Group by suite and parameters, keeping first-seen order; looptimer first in a group.
        Map<String, List<Row>> groups = new LinkedHashMap<>();
        List<Row> sorted = new ArrayList<>(rows);
        sorted.sort(Comparator.comparing(Row::suite).thenComparing(r -> paramSortKey(r.params())));
        for (Row r : sorted) {
            groups.computeIfAbsent(r.group(), k -> new ArrayList<>()).add(r);
        }
        StringBuilder out = new StringBuilder();
        boolean cpu = rows.stream().anyMatch(r -> !Double.isNaN(r.cpuPerOp()));
        out.append(String.format(
                "%-32s %-14s %10s   %-10s %-6s %8s %12s",
                "benchmark", "params", "score", "error", "unit", "vs loop", "alloc B/op"));
        out.append(cpu ? String.format(" %12s %8s%n", "cpu ns/op", "vs loop") : "\n");
        String lastSuite = null;
        for (List<Row> group : groups.values()) {
            group.sort(Comparator.comparing((Row r) -> !r.peer().equals(BASELINE)));
            Row base = group.get(0).peer().equals(BASELINE) ? group.get(0) : null;
            if (lastSuite != null && !lastSuite.equals(group.get(0).suite())) {
                out.append('\n');
            }
            lastSuite = group.get(0).suite();
            for (Row r : group) {
                String ratio = "";
                if (base != null && r != base && base.score() > 0) {
                    ratio = String.format("%.2fx", r.score() / base.score());
                } else if (r == base && group.size() > 1) {
                    ratio = "1.00x";
                }
                out.append(String.format(
                        "%-32s %-14s %10s ± %-10s %-6s %8s %12s",
                        r.suite() + "." + r.peer(),
                        r.params(),
                        num(r.score()),
                        num(r.error()),
                        r.unit(),
                        ratio,
                        Double.isNaN(r.allocPerOp()) ? "-" : num(r.allocPerOp())));
                if (cpu) {
                    String cpuRatio = base != null && r != base && base.cpuPerOp() > 0
                            ? String.format("%.2fx", r.cpuPerOp() / base.cpuPerOp())
                            : "";
                    out.append(
                            String.format(" %12s %8s", Double.isNaN(r.cpuPerOp()) ? "-" : num(r.cpuPerOp()), cpuRatio));
                }
                out.append('\n');
            }
        }
        return out.toString();
    }

    /** Orders "live=10000" before "live=1000000": numbers compared as numbers. */
    private static String paramSortKey(String params) {
        StringBuilder sb = new StringBuilder();
        for (String token : params.split("(?<=\\D)(?=\\d)|(?<=\\d)(?=\\D)", -1)) {
            if (!token.isEmpty() && Character.isDigit(token.charAt(0))) {
                sb.append(String.format("%020d", Long.parseLong(token)));
            } else {
                sb.append(token);
            }
        }
        return sb.toString();
    }

    static String num(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        double a = Math.abs(v);
        if (a >= 1000) {
            return String.format("%,.0f", v);
        }
        if (a >= 100) {
            return String.format("%.1f", v);
        }
        if (a >= 10) {
            return String.format("%.2f", v);
        }
        return String.format("%.3f", v);
    }
}
