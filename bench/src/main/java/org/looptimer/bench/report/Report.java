package org.looptimer.bench.report;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.reflect.TypeToken;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Turns one {@code bench/run} results directory into {@code results.json}, {@code report.md} and
 * SVG charts.
 *
 * <p>It reads, from that directory, whatever the run produced: {@code meta.txt} ({@code key=value}
 * lines: date, command, JDK, CPU...), {@code jmh.json} (JMH's results), {@code go-port.json}
 * ({@code org.looptimer.bench.go.GoSuite}), {@code go-test.txt} (the output of Go's own
 * {@code go test -bench}) or {@code go-skipped.txt} (why Go did not run), {@code jmh-jdk25.json}
 * or {@code jmh-jdk25-skipped.txt} (the churn suite's JDK 25 peer), {@code load.json} and
 * {@code load-jdk25.json} or {@code load-jdk25-skipped.txt} (the load suites), {@code footprint.txt},
 * and the end-to-end suite's {@code e2e.json} and {@code e2e.md}. A suite the run did not produce
 * is a "skipped" row with the reason, never a silent gap.
 *
 * <p>Convention for every suite: the row whose peer is {@value #BASELINE} is the baseline; every
 * other row with the same suite, parameters and unit shows its score over looptimer's. All ratios
 * come from the one run in the directory.
 *
 * <p>Usage: {@code java -cp benchmarks.jar org.looptimer.bench.report.Report <results dir>}
 */
public final class Report {

    /** The peer every ratio is taken against. */
    public static final String BASELINE = "looptimer";

    static final String GO_ORDER = "StartStop Stop Reset AfterFunc SimultaneousAfterFunc TickerReset"
            + " TickerResetNaive ParallelTimerLatency StaggeredTickerLatency";

    private static final Gson GSON = new GsonBuilder()
            .serializeSpecialFloatingPointValues()
            .setPrettyPrinting()
            .disableHtmlEscaping()
            .create();

    private Report() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: Report <results dir>");
            System.exit(2);
        }
        System.setProperty("java.awt.headless", "true");
        Path dir = Path.of(args[0]);
        List<String> written = write(dir);
        System.out.println("report: " + String.join(", ", written));
    }

    /** Reads the directory's inputs, writes the report files into it; their names. */
    static List<String> write(Path dir) throws IOException {
        Map<String, String> meta = readMeta(dir.resolve("meta.txt"));
        List<Row> rows = new ArrayList<>();
        JsonObject results = new JsonObject();
        results.add("meta", GSON.toJsonTree(meta));

        Path jmh = dir.resolve("jmh.json");
        if (Files.exists(jmh)) {
            rows.addAll(JmhResults.read(jmh));
            results.add("jmh", JmhResults.raw(jmh));
        } else {
            rows.add(Row.skipped("jmh", "all peers", "", "ns/op", "skipped: this run had no JMH suites"));
        }
        Path jmh25 = dir.resolve("jmh-jdk25.json");
        Path jmh25Skipped = dir.resolve("jmh-jdk25-skipped.txt");
        if (Files.exists(jmh25)) {
            rows.addAll(JmhResults.read(jmh25));
            results.add("jmhJdk25", JmhResults.raw(jmh25));
        } else if (Files.exists(jmh25Skipped)) {
            rows.add(Row.skipped(
                    "churn",
                    "jdk25ForkJoinPool",
                    "",
                    "ns/op",
                    "skipped: "
                            + Files.readString(jmh25Skipped, StandardCharsets.UTF_8)
                                    .strip()));
        }
        rows.addAll(goRows(dir, results));
        rows.addAll(loadRows(dir));
        Path e2eJson = dir.resolve("e2e.json");
        if (Files.exists(e2eJson)) {
            results.add("e2e", JsonParser.parseString(Files.readString(e2eJson, StandardCharsets.UTF_8)));
        }
        results.add("rows", GSON.toJsonTree(rows));

        List<String> written = new ArrayList<>();
        List<String> charts = drawCharts(dir, rows, written);
        Files.writeString(dir.resolve("results.json"), GSON.toJson(results), StandardCharsets.UTF_8);
        written.add(0, "results.json");
        Files.writeString(dir.resolve("report.md"), markdown(dir, meta, rows, charts), StandardCharsets.UTF_8);
        written.add(0, "report.md");
        return written;
    }

    private static List<Row> goRows(Path dir, JsonObject results) throws IOException {
        List<Row> rows = new ArrayList<>();
        Path port = dir.resolve("go-port.json");
        if (Files.exists(port)) {
            rows.addAll(readRows(port));
        } else {
            rows.add(Row.skipped(
                    "go", "looptimer", "", "ns/op", "skipped: this run did not include the Go port (GoSuite)"));
        }
        Path goOut = dir.resolve("go-test.txt");
        Path goSkipped = dir.resolve("go-skipped.txt");
        if (Files.exists(goOut)) {
            String text = Files.readString(goOut, StandardCharsets.UTF_8);
            results.addProperty("goTestOutput", text);
            List<Row> go = GoTestOutput.parse(text);
            if (go.isEmpty()) {
                rows.add(Row.skipped("go", "go", "", "ns/op", "skipped: go test printed no benchmark line"));
            }
            rows.addAll(go);
        } else {
            String why = Files.exists(goSkipped)
                    ? Files.readString(goSkipped, StandardCharsets.UTF_8).strip()
                    : "no Go toolchain on PATH; install one (Debian: apt-get install golang) to run Go's own benchmarks";
            // One skipped Go row for every workload of the port, so the table shows the gap where it is.
            Set<String> keys = new LinkedHashSet<>();
            for (Row r : rows) {
                if (r.suite().equals("go") && !r.params().isEmpty()) {
                    keys.add(r.params() + "\n" + r.unit());
                }
            }
            if (keys.isEmpty()) {
                keys.add("\nns/op");
            }
            for (String k : keys) {
                String[] pu = k.split("\n", 2);
                rows.add(Row.skipped("go", "go", pu[0], pu[1], "skipped: " + why));
            }
        }
        return rows;
    }

    /** The load suites' rows: load.json, and load-jdk25.json or the reason JDK 25 did not run. */
    private static List<Row> loadRows(Path dir) throws IOException {
        List<Row> rows = new ArrayList<>();
        Path load = dir.resolve("load.json");
        if (Files.exists(load)) {
            rows.addAll(readRows(load));
        } else {
            for (String suite : List.of("lateness", "burst", "memory")) {
                rows.add(Row.skipped(
                        suite, "all peers", "", "", "skipped: this run did not include the load suites (LoadSuite)"));
            }
        }
        Path jdk25 = dir.resolve("load-jdk25.json");
        Path jdk25Skipped = dir.resolve("load-jdk25-skipped.txt");
        if (Files.exists(jdk25)) {
            rows.addAll(readRows(jdk25));
        } else if (Files.exists(jdk25Skipped)) {
            String why = "skipped: "
                    + Files.readString(jdk25Skipped, StandardCharsets.UTF_8).strip();
            String params = rows.stream()
                    .filter(r -> r.suite().equals("lateness"))
                    .map(Row::params)
                    .findFirst()
                    .orElse("");
            rows.add(Row.skipped("lateness", "jdk25ForkJoinPool", params, "p99-late-ns", why));
            String memoryParams = rows.stream()
                    .filter(r -> r.suite().equals("memory"))
                    .map(Row::params)
                    .findFirst()
                    .orElse("");
            rows.add(Row.skipped("memory", "jdk25ForkJoinPool", memoryParams, "retained-B/timer", why));
        }
        return rows;
    }

    private static List<Row> readRows(Path file) throws IOException {
        return GSON.fromJson(Files.readString(file, StandardCharsets.UTF_8), new TypeToken<List<Row>>() {}.getType());
    }

    static Map<String, String> readMeta(Path file) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>();
        if (Files.exists(file)) {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    meta.put(
                            line.substring(0, eq).strip(),
                            line.substring(eq + 1).strip());
                }
            }
        }
        return meta;
    }

    private static List<String> drawCharts(Path dir, List<Row> rows, List<String> written) throws IOException {
        List<String> charts = new ArrayList<>();
        // ns/op per peer per workload: one chart per JMH suite measured in ns/op.
        Map<String, List<Row>> bySuite = new LinkedHashMap<>();
        for (Row r : rows) {
            if (r.unit().equals("ns/op") && !r.suite().equals("go")) {
                bySuite.computeIfAbsent(r.suite(), k -> new ArrayList<>()).add(r);
            }
        }
        for (Map.Entry<String, List<Row>> e : bySuite.entrySet()) {
            String file = "ns-per-op-" + e.getKey().replace('.', '-') + ".svg";
            Function<Row, String> label = r -> r.params().isEmpty() ? e.getKey() : r.params();
            if (Charts.bars(e.getValue(), label, e.getKey() + ": time per operation", "ns/op", 1, dir.resolve(file))) {
                charts.add(file);
            }
        }
        List<Row> goTimes = rows.stream()
                .filter(r -> r.suite().equals("go") && r.unit().equals("ns/op"))
                .toList();
        if (Charts.bars(
                goTimes,
                Report::goName,
                "Go's timer benchmarks: Go's runtime (go test -bench) and the three ports",
                "µs/op",
                1e-3,
                dir.resolve("go-comparison.svg"))) {
            charts.add("go-comparison.svg");
        }
        for (String unit : List.of("avg-late-ns", "max-late-ns")) {
            List<Row> late = rows.stream()
                    .filter(r -> r.suite().equals("go") && r.unit().equals(unit))
                    .toList();
            String file = "go-lateness-" + unit.substring(0, 3) + ".svg";
            if (Charts.bars(late, Report::goName, "Timer lateness, " + unit, "µs late", 1e-3, dir.resolve(file))) {
                charts.add(file);
            }
        }
        List<Row> late = rows.stream()
                .filter(r -> r.suite().equals("lateness") && r.unit().endsWith("-late-ns"))
                .toList();
        if (Charts.bars(
                late,
                r -> r.unit().replace("-late-ns", ""),
                "Lateness under load, percentiles per peer",
                "µs late",
                1e-3,
                dir.resolve("lateness.svg"))) {
            charts.add("lateness.svg");
        }
        List<Row> burst = rows.stream()
                .filter(r -> r.suite().equals("burst") && r.unit().endsWith("-ms"))
                .toList();
        if (Charts.bars(
                burst,
                r -> r.unit().equals("drain-ms") ? "drain time" : "slowest echo round trip",
                "A burst of timers due at one instant, with an echo connection on the loop",
                "ms",
                1,
                dir.resolve("burst.svg"))) {
            charts.add("burst.svg");
        }
        written.addAll(charts);
        return charts;
    }

    static String goName(Row r) {
        return r.params().startsWith("bench=") ? r.params().substring("bench=".length()) : r.params();
    }

    static String markdown(Path dir, Map<String, String> meta, List<Row> rows, List<String> charts) throws IOException {
        StringBuilder md = new StringBuilder();
        md.append("# looptimer benchmark report\n\n");
        md.append("| | |\n|---|---|\n");
        meta.forEach((k, v) ->
                md.append("| ").append(k).append(" | ").append(escape(v)).append(" |\n"));
        md.append("\nTimes are per operation ± the error bar (JMH: 99.9% confidence interval; the Go port and Go:"
                + " standard deviation over the runs). A peer's ratio is its score over looptimer's in the same"
                + " suite, workload and unit, from this one run: for times, 2.00x means twice as slow as looptimer."
                + " \"alloc\" is bytes allocated per operation (`-prof gc`), \"cpu\" the process's CPU time per"
                + " operation, which a busy machine inflates less than the wall clock.\n\n");

        String targets = Targets.check(rows);
        md.append("## Targets\n\n");
        md.append(targets.isEmpty() ? "No target rows in this run.\n\n" : "```\n" + targets + "```\n\n");

        md.append("## Go's timer benchmarks, side by side\n\n");
        md.append(goTable(rows));

        Map<String, List<Row>> bySuite = new LinkedHashMap<>();
        rows.stream()
                .filter(r -> !r.suite().equals("go"))
                .sorted(Comparator.comparing(Row::suite))
                .forEach(r -> bySuite.computeIfAbsent(r.suite(), k -> new ArrayList<>())
                        .add(r));
        for (Map.Entry<String, List<Row>> e : bySuite.entrySet()) {
            md.append("## ").append(e.getKey()).append("\n\n");
            md.append(suiteTable(e.getValue()));
        }

        md.append("## Go port, every row\n\n");
        md.append(suiteTable(rows.stream().filter(r -> r.suite().equals("go")).toList()));

        Path footprint = dir.resolve("footprint.txt");
        if (Files.exists(footprint)) {
            md.append("## Footprint\n\n```\n")
                    .append(Files.readString(footprint, StandardCharsets.UTF_8).strip())
                    .append("\n```\n\n");
        }
        if (!charts.isEmpty()) {
            md.append("## Charts\n\n");
            for (String c : charts) {
                md.append("![").append(c).append("](").append(c).append(")\n\n");
            }
        }
        Path e2e = dir.resolve("e2e.md");
        if (Files.exists(e2e)) {
            md.append(Files.readString(e2e, StandardCharsets.UTF_8).strip()).append('\n');
        } else {
            md.append("## End to end\n\nskipped: this run did not include the end-to-end suite (`bench/run e2e`).\n");
        }
        return md.toString();
    }

    /** Rows of one suite: workload, peer, score ± error, unit, ratio, alloc, cpu. */
    static String suiteTable(List<Row> rows) {
        StringBuilder md = new StringBuilder();
        md.append("| workload | peer | score | unit | vs looptimer | alloc B/op | cpu ns/op |\n");
        md.append("|---|---|---:|---|---:|---:|---:|\n");
        Map<String, List<Row>> groups = new LinkedHashMap<>();
        for (Row r : rows) {
            groups.computeIfAbsent(r.group(), k -> new ArrayList<>()).add(r);
        }
        for (List<Row> group : groups.values()) {
            Row base = baseline(group);
            List<Row> ordered = new ArrayList<>(group);
            ordered.sort(Comparator.comparing((Row r) -> !r.peer().equals(BASELINE)));
            for (Row r : ordered) {
                md.append("| ")
                        .append(r.params().isEmpty() ? "" : "`" + r.params() + "`")
                        .append(" | ")
                        .append(r.peer())
                        .append(" | ");
                if (!r.isMeasured()) {
                    md.append(escape(r.skipped() == null ? "skipped: no figure" : r.skipped()))
                            .append(" | ")
                            .append(r.unit())
                            .append(" | | | |\n");
                    continue;
                }
                md.append(scoreText(r.score(), r.error(), 1))
                        .append(" | ")
                        .append(r.unit())
                        .append(" | ")
                        .append(ratio(r, base))
                        .append(" | ")
                        .append(Double.isNaN(r.allocPerOp()) ? "" : ReportTable.num(r.allocPerOp()))
                        .append(" | ")
                        .append(Double.isNaN(r.cpuPerOp()) ? "" : ReportTable.num(r.cpuPerOp()))
                        .append(" |\n");
            }
        }
        return md.append('\n').toString();
    }

    /** Go's names down, peers across: µs/op for times, µs late for the latency rows. */
    static String goTable(List<Row> rows) {
        List<Row> go = rows.stream().filter(r -> r.suite().equals("go")).toList();
        List<String> peers = new ArrayList<>(List.of(BASELINE, "looptimer-netty-api", "netty", "go"));
        go.stream().map(Row::peer).filter(p -> !peers.contains(p)).distinct().forEach(peers::add);
        Map<String, List<Row>> groups = new LinkedHashMap<>();
        go.stream()
                .filter(r -> !r.params().isEmpty())
                .sorted(Comparator.comparing(Report::goOrder))
                .forEach(r -> groups.computeIfAbsent(r.group(), k -> new ArrayList<>())
                        .add(r));
        StringBuilder md = new StringBuilder();
        md.append("Each row is one of Go's `src/time/sleep_test.go` benchmarks under its Go name: ")
                .append("every loop (one per CPU) holds 32,768 idle one-hour timers and runs `bench(1000)` in ")
                .append("parallel, as Go's `benchmark()` helper does on every P. looptimer: `Timers` on a ")
                .append("`TimerEventLoopGroup`; looptimer-netty-api: Netty's `EventLoop.schedule` on a ")
                .append("`TimerEventLoopGroup`; netty: stock `MultiThreadIoEventLoopGroup`; go: Go's own ")
                .append("`go test -bench` in this run. Netty's API has no re-arm, so its Reset and TickerReset ")
                .append("are a cancel and a new schedule. Ratios are to looptimer.\n\n");
        md.append("| benchmark | unit |");
        peers.forEach(p -> md.append(' ').append(p).append(" |"));
        md.append("\n|---|---|");
        peers.forEach(p -> md.append("---:|"));
        md.append('\n');
        for (List<Row> group : groups.values()) {
            Row first = group.get(0);
            boolean time = first.unit().equals("ns/op");
            md.append("| ")
                    .append(goName(first))
                    .append(" | ")
                    .append(time ? "µs/op" : first.unit().replace("-ns", "-µs"))
                    .append(" |");
            Row base = baseline(group);
            for (String p : peers) {
                Row r = group.stream()
                        .filter(x -> x.peer().equals(p))
                        .findFirst()
                        .orElse(null);
                md.append(' ');
                if (r == null) {
                    md.append("skipped: not run");
                } else if (!r.isMeasured()) {
                    md.append(escape(r.skipped()));
                } else {
                    md.append(scoreText(r.score(), r.error(), 1e-3));
                    String ratio = ratio(r, base);
                    if (!ratio.isEmpty() && !ratio.equals("1.00x")) {
                        md.append(" (").append(ratio).append(')');
                    }
                }
                md.append(" |");
            }
            md.append('\n');
        }
        return md.append('\n').toString();
    }

    private static int goOrder(Row r) {
        String name = goName(r);
        int slash = name.indexOf('/');
        String top = slash < 0 ? name : name.substring(0, slash);
        int at = (" " + GO_ORDER + " ").indexOf(" " + top + " ");
        return at < 0 ? Integer.MAX_VALUE : at;
    }

    private static Row baseline(List<Row> group) {
        return group.stream()
                .filter(r -> r.peer().equals(BASELINE) && r.isMeasured())
                .findFirst()
                .orElse(null);
    }

    // The baseline row is compared by identity: itself, not another row of equal values.
    @SuppressWarnings("ReferenceEquality")
    private static String ratio(Row r, Row base) {
        if (base == null || !r.isMeasured() || base.score() <= 0) {
            return "";
        }
        if (r == base) {
            return "1.00x";
        }
        return String.format(Locale.ROOT, "%.2fx", r.score() / base.score());
    }

    private static String scoreText(double score, double error, double scale) {
        String s = ReportTable.num(score * scale);
        return Double.isNaN(error) ? s : s + " ± " + ReportTable.num(error * scale);
    }

    private static String escape(String s) {
        return s.replace("|", "\\|");
    }
}
