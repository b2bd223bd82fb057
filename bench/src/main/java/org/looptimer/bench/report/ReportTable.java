package org.looptimer.bench.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Prints JMH JSON results ({@code -rf json}) as one compact table: suite and implementation,
 * parameters, score ± error, unit, the ratio to the looptimer row of the same suite and
 * parameters, and the allocation per operation when the run used {@code -prof gc}.
 *
 * <p>With {@code -prof org.looptimer.bench.profile.ProcessCpuProfiler} it adds the fork's CPU time
 * per operation and its ratio: on a busy machine the wall-clock score inflates with the time the
 * benchmark thread was descheduled, and CPU time does not.
 *
 * <p>Convention: in each benchmark class, the method named {@code looptimer} is the baseline and
 * every other method of that class is a peer or variant, shown as {@code score / looptimer score}
 * (for times, 3.00x means three times slower than looptimer). Classes without a {@code looptimer}
 * method get no ratio.
 *
 * <p>Usage: {@code java -cp benchmarks.jar org.looptimer.bench.report.ReportTable results.json...}
 */
public final class ReportTable {

    private static final String BASELINE = "looptimer";

    /**
     * One JMH result. {@code allocPerOp} ({@code -prof gc}) and {@code cpuPerOp}
     * ({@code ProcessCpuProfiler}) are NaN when the run did not use that profiler.
     */
    record Row(
            String suite,
            String method,
            String params,
            double score,
            double error,
            String unit,
            double allocPerOp,
            double cpuPerOp) {}

    private ReportTable() {}

    public static void main(String[] args) throws IOException {
        if (args.length == 0) {
            System.err.println("usage: ReportTable <jmh-result.json>...");
            System.exit(2);
        }
        List<Row> rows = new ArrayList<>();
        for (String file : args) {
            rows.addAll(read(Path.of(file)));
        }
        System.out.print(format(rows));
        String targets = Targets.check(rows);
        if (!targets.isEmpty()) {
            System.out.println();
            System.out.print(targets);
        }
    }

    static List<Row> read(Path file) throws IOException {
        Object root = Json.parse(Files.readString(file, StandardCharsets.UTF_8));
        List<Row> rows = new ArrayList<>();
        for (Object o : (List<?>) root) {
            Map<?, ?> result = (Map<?, ?>) o;
            String benchmark = (String) result.get("benchmark");
            String[] parts = benchmark.split("\\.", -1);
            String method = parts[parts.length - 1];
            String suite = suiteName(parts.length >= 2 ? parts[parts.length - 2] : "");
            Map<String, String> params = new TreeMap<>();
            if (result.get("params") instanceof Map<?, ?> p) {
                p.forEach((k, v) -> params.put(String.valueOf(k), String.valueOf(v)));
            }
            Map<?, ?> primary = (Map<?, ?>) result.get("primaryMetric");
            Map<?, ?> secondary = result.get("secondaryMetrics") instanceof Map<?, ?> m ? m : Map.of();
            rows.add(new Row(
                    suite,
                    method,
                    formatParams(params),
                    Json.number(primary.get("score")),
                    Json.number(primary.get("scoreError")),
                    String.valueOf(primary.get("scoreUnit")),
                    secondaryScore(secondary, "gc.alloc.rate.norm"),
                    secondaryScore(secondary, "cpu.time.norm")));
        }
        return rows;
    }

    private static double secondaryScore(Map<?, ?> secondary, String name) {
        return secondary.get(name) instanceof Map<?, ?> metric ? Json.number(metric.get("score")) : Double.NaN;
    }

    // Rows are compared by identity: the baseline row itself, not a row of equal values.
    @SuppressWarnings("ReferenceEquality")
    static String format(List<Row> rows) {
        // Group by suite and parameters, keeping first-seen order; looptimer first in a group.
        Map<String, List<Row>> groups = new LinkedHashMap<>();
        List<Row> sorted = new ArrayList<>(rows);
        sorted.sort(Comparator.comparing(Row::suite).thenComparing(r -> paramSortKey(r.params())));
        for (Row r : sorted) {
            groups.computeIfAbsent(r.suite() + "|" + r.params(), k -> new ArrayList<>())
                    .add(r);
        }
        StringBuilder out = new StringBuilder();
        boolean cpu = rows.stream().anyMatch(r -> !Double.isNaN(r.cpuPerOp()));
        out.append(String.format(
                "%-32s %-14s %10s   %-10s %-6s %8s %12s",
                "benchmark", "params", "score", "error", "unit", "vs loop", "alloc B/op"));
        out.append(cpu ? String.format(" %12s %8s%n", "cpu ns/op", "vs loop") : "\n");
        String lastSuite = null;
        for (List<Row> group : groups.values()) {
            group.sort(Comparator.comparing((Row r) -> !r.method().equals(BASELINE)));
            Row base = group.get(0).method().equals(BASELINE) ? group.get(0) : null;
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
                        r.suite() + "." + r.method(),
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

    /** ChurnBenchmark -> churn */
    static String suiteName(String className) {
        String s = className.endsWith("Benchmark")
                ? className.substring(0, className.length() - "Benchmark".length())
                : className;
        return s.isEmpty() ? s : Character.toLowerCase(s.charAt(0)) + s.substring(1);
    }

    private static String formatParams(Map<String, String> params) {
        StringBuilder sb = new StringBuilder();
        params.forEach((k, v) -> {
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(k.equals("liveTimers") ? "live" : k).append('=').append(v);
        });
        return sb.toString();
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

    private static String num(double v) {
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
