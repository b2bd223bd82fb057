package org.looptimer.bench.e2e;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.VectorGraphicsEncoder;

/**
 * What {@link E2eSuite} measured, written as {@code e2e.json} (every run and the medians),
 * {@code e2e.md} (one table per scenario, stock against looptimer) and two charts,
 * {@code e2e-latency.svg} and {@code e2e-cpu.svg}.
 *
 * <p>Threads: one thread builds and writes it.
 */
final class E2eReport {

    /** A table row: a label and the run metric it shows, and whether more is better. */
    private record Row(String label, String key, int decimals, Better better) {}

    private enum Better {
        HIGHER,
        LOWER,
        NEITHER
    }

    private static final List<Row> ROWS = List.of(
            new Row("requests/s", "requestsPerSecond", 0, Better.HIGHER),
            new Row("latency p50 (ms)", "p50Ms", 2, Better.LOWER),
            new Row("latency p99 (ms)", "p99Ms", 2, Better.LOWER),
            new Row("latency p99.9 (ms)", "p999Ms", 2, Better.LOWER),
            new Row("latency max (ms)", "maxMs", 1, Better.LOWER),
            new Row("latency p99 during the storm (ms)", "stormP99Ms", 2, Better.LOWER),
            new Row("requests meant to go out during the storm", "stormRequests", 0, Better.NEITHER),
            new Row("server CPU in the measured window (s)", "serverCpuSeconds", 2, Better.LOWER),
            new Row("server CPU per request (µs)", "cpuMicrosPerRequest", 1, Better.LOWER),
            new Row("server allocation (MB/s)", "allocationMBPerSecond", 1, Better.LOWER),
            new Row("server allocation per request (B)", "allocatedBytesPerRequest", 0, Better.LOWER),
            new Row("server heap per connection (B)", "heapBytesPerConnection", 0, Better.LOWER),
            new Row("silent connections", "silentConnections", 0, Better.NEITHER),
            new Row("idle closes", "idleCloses", 0, Better.NEITHER),
            new Row("idle closes early (must be 0)", "earlyIdleCloses", 0, Better.LOWER),
            new Row("idle close lateness p50 (ms)", "idleLatenessP50Ms", 2, Better.LOWER),
            new Row("idle close lateness p99 (ms)", "idleLatenessP99Ms", 2, Better.LOWER),
            new Row("idle close lateness max (ms)", "idleLatenessMaxMs", 2, Better.LOWER),
            new Row("deadlines fired (503)", "deadlinesFired", 0, Better.NEITHER),
            new Row("fast requests answered 503 (must be 0)", "fastRequestsAnswered503", 0, Better.LOWER),
            new Row("slow requests answered 200 (must be 0)", "slowRequestsAnswered200", 0, Better.LOWER),
            new Row("heartbeats sent in the window", "heartbeatsSent", 0, Better.NEITHER),
            new Row("dead-peer closes (must be 0)", "deadPeerCloses", 0, Better.LOWER),
            new Row("loop wake-ups per second", "loopWakeupsPerSecond", 0, Better.LOWER),
            new Row("loop polls per second", "loopPollsPerSecond", 0, Better.NEITHER),
            new Row("active connections closed by the server (must be 0)", "activeClosed", 0, Better.LOWER),
            new Row("connect failures (must be 0)", "connectFailures", 0, Better.LOWER),
            new Row("connections accepted by the server once connected", "acceptedConnections", 0, Better.NEITHER),
            new Row("server process exited by itself (1 = yes)", "serverExitedCleanly", 0, Better.HIGHER));

    private record Entry(Scenario scenario, Map<String, List<Map<String, Double>>> runs) {}

    private final Scenario.Size size;
    private final Transport transport;
    private final int repeats;
    private final long openFileLimit;
    private final List<String> notes;
    private final List<Entry> entries = new ArrayList<>();
    private JsonObject wrk = WrkRun.skipped("not run");

    E2eReport(Scenario.Size size, Transport transport, int repeats, long openFileLimit, List<String> notes) {
        this.size = size;
        this.transport = transport;
        this.repeats = repeats;
        this.openFileLimit = openFileLimit;
        this.notes = notes;
    }

    void add(Scenario scenario, Map<String, List<Map<String, Double>>> runs) {
        entries.add(new Entry(scenario, runs));
    }

    void wrk(JsonObject wrk) {
        this.wrk = wrk;
    }

    /** The median of {@code key} over {@code runs} (NaN if no run has it). */
    static double median(List<Map<String, Double>> runs, String key) {
        double[] values = runs.stream()
                .map(r -> r.get(key))
                .filter(v -> v != null && !v.isNaN())
                .mapToDouble(Double::doubleValue)
                .sorted()
                .toArray();
        if (values.length == 0) {
            return Double.NaN;
        }
        int mid = values.length / 2;
        return values.length % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
    }

    private static double min(List<Map<String, Double>> runs, String key) {
        return runs.stream()
                .mapToDouble(r -> r.getOrDefault(key, Double.NaN))
                .min()
                .orElse(Double.NaN);
    }

    private static double max(List<Map<String, Double>> runs, String key) {
        return runs.stream()
                .mapToDouble(r -> r.getOrDefault(key, Double.NaN))
                .max()
                .orElse(Double.NaN);
    }

    void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(
                dir.resolve("e2e.json"),
                new GsonBuilder()
                        .setPrettyPrinting()
                        .serializeSpecialFloatingPointValues()
                        .create()
                        .toJson(toJson()),
                StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("e2e.md"), toMarkdown(), StandardCharsets.UTF_8);
        charts(dir);
    }

    JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("suite", "e2e");
        o.addProperty("date", Instant.now().toString());
        o.addProperty("size", size.name().toLowerCase(Locale.ROOT));
        o.addProperty("transport", transport.label());
        o.addProperty("repeats", repeats);
        o.addProperty("jdk", Runtime.version().toString());
        o.addProperty("cpus", Runtime.getRuntime().availableProcessors());
        o.addProperty("openFileLimit", openFileLimit);
        JsonArray n = new JsonArray();
        notes.forEach(n::add);
        o.add("notes", n);
        JsonArray scenarios = new JsonArray();
        for (Entry e : entries) {
            JsonObject s = new JsonObject();
            Scenario sc = e.scenario();
            s.addProperty("id", sc.id());
            s.addProperty("title", sc.title());
            s.addProperty("activeConnections", sc.active());
            s.addProperty("silentConnections", sc.silent());
            s.addProperty("requestsPerSecondTarget", sc.rate());
            s.addProperty("slowShare", sc.slowShare());
            s.addProperty("idleTimeoutMs", sc.idle().toMillis());
            s.addProperty("heartbeatMs", sc.heartbeat().toMillis());
            s.addProperty("deadlineMs", sc.deadline().toMillis());
            s.addProperty("slowWorkMs", sc.work().toMillis());
            JsonObject ratios = new JsonObject();
            for (Map.Entry<String, List<Map<String, Double>>> side : e.runs().entrySet()) {
                JsonObject v = new JsonObject();
                JsonObject med = new JsonObject();
                for (String key : side.getValue().isEmpty()
                        ? List.<String>of()
                        : side.getValue().get(0).keySet()) {
                    med.addProperty(key, median(side.getValue(), key));
                }
                v.add("median", med);
                JsonArray runs = new JsonArray();
                for (Map<String, Double> run : side.getValue()) {
                    JsonObject r = new JsonObject();
                    run.forEach(r::addProperty);
                    runs.add(r);
                }
                v.add("runs", runs);
                s.add(side.getKey(), v);
            }
            for (Row row : ROWS) {
                double stock = median(e.runs().get("stock"), row.key());
                double looptimer = median(e.runs().get("looptimer"), row.key());
                if (!Double.isNaN(stock) && !Double.isNaN(looptimer) && stock != 0) {
                    ratios.addProperty(row.key(), looptimer / stock);
                }
            }
            s.add("looptimerOverStock", ratios);
            scenarios.add(s);
        }
        o.add("scenarios", scenarios);
        o.add("wrk", wrk);
        return o;
    }

    String toMarkdown() {
        StringBuilder md = new StringBuilder();
        md.append("## End to end: stock Netty against looptimer\n\n");
        md.append(String.format(
                "%s run, transport %s, %d repeat(s) per side alternated (stock, looptimer, …), medians shown;"
                        + " JDK %s, %d CPUs, open-file limit %,d. Each server runs in a JVM of its own"
                        + " (-Xms768m -Xmx768m, G1), loaded by LoadClient at a constant rate with coordinated"
                        + " omission corrected. Ratios are looptimer over stock.%n%n",
                size.name().toLowerCase(Locale.ROOT),
                transport.label(),
                repeats,
                Runtime.version(),
                Runtime.getRuntime().availableProcessors(),
                openFileLimit));
        for (String note : notes) {
            md.append("- Note: ").append(note).append('\n');
        }
        if (!notes.isEmpty()) {
            md.append('\n');
        }
        for (Entry e : entries) {
            Scenario s = e.scenario();
            md.append("### ").append(s.title()).append("\n\n");
            md.append(String.format(
                    "%,d active connections at %,d requests/s in total, %,d silent ones%s.%n%n",
                    s.active(), s.rate(), s.silent(), describeTimers(s)));
            List<Map<String, Double>> stock = e.runs().get("stock");
            List<Map<String, Double>> looptimer = e.runs().get("looptimer");
            md.append("| | stock | looptimer | looptimer / stock |\n|---|---:|---:|---:|\n");
            for (Row row : ROWS) {
                double a = median(stock, row.key());
                double b = median(looptimer, row.key());
                if (Double.isNaN(a) && Double.isNaN(b)) {
                    continue;
                }
                boolean spread = repeats > 1
                        && (row.key().equals("requestsPerSecond") || row.key().equals("p99Ms"));
                md.append("| ")
                        .append(row.label())
                        .append(" | ")
                        .append(cell(stock, row, a, spread))
                        .append(" | ")
                        .append(cell(looptimer, row, b, spread))
                        .append(" | ")
                        .append(
                                row.better() == Better.NEITHER || a == 0 || Double.isNaN(a) || Double.isNaN(b)
                                        ? ""
                                        : String.format("%.2fx", b / a))
                        .append(" |\n");
            }
            md.append('\n');
        }
        md.append("### The same DeadlineServer under wrk\n\n");
        if (wrk.get("available").getAsBoolean()) {
            md.append("`")
                    .append(wrk.get("command").getAsString())
                    .append("` (closed loop: wrk does not correct coordinated omission), medians:\n\n");
            md.append("| | stock | looptimer | looptimer / stock |\n|---|---:|---:|---:|\n");
            for (String key : List.of("requestsPerSecond", "p50Ms", "p99Ms", "serverCpuSeconds")) {
                double a = wrkMedian("stock", key);
                double b = wrkMedian("looptimer", key);
                md.append(String.format("| %s | %.2f | %.2f | %.2fx |%n", key, a, b, b / a));
            }
        } else {
            md.append("Skipped: ").append(wrk.get("reason").getAsString()).append(".\n");
        }
        md.append("\n![p99 latency](e2e-latency.svg) ![server CPU per request](e2e-cpu.svg)\n");
        return md.toString();
    }

    private double wrkMedian(String side, String key) {
        List<Map<String, Double>> runs = new ArrayList<>();
        for (JsonElement run : wrk.getAsJsonArray(side)) {
            JsonObject r = run.getAsJsonObject();
            runs.add(Map.of(key, r.has(key) ? r.get(key).getAsDouble() : Double.NaN));
        }
        return median(runs, key);
    }

    private static String describeTimers(Scenario s) {
        List<String> parts = new ArrayList<>();
        if (!s.idle().isZero()) {
            parts.add("idle timeout " + s.idle().toMillis() + " ms");
        }
        if (!s.deadline().isZero()) {
            parts.add(String.format(
                    "deadline %d ms per request, %.0f%% of requests to /slow taking %d ms",
                    s.deadline().toMillis(), s.slowShare() * 100, s.work().toMillis()));
        }
        if (!s.heartbeat().isZero()) {
            parts.add("heartbeat every " + s.heartbeat().toMillis() + " ms on every connection, answered by the"
                    + " client, no jitter");
        }
        return parts.isEmpty() ? "" : "; " + String.join("; ", parts);
    }

    private static String cell(List<Map<String, Double>> runs, Row row, double median, boolean spread) {
        if (Double.isNaN(median)) {
            return "";
        }
        String format = "%,." + row.decimals() + "f";
        String value = String.format(format, median);
        if (spread) {
            value += String.format(" (" + format + "–" + format + ")", min(runs, row.key()), max(runs, row.key()));
        }
        return value;
    }

    private void charts(Path dir) throws IOException {
        chart(dir.resolve("e2e-latency.svg"), "Request latency p99 (ms), median of runs", "p99Ms", "stormP99Ms");
        chart(dir.resolve("e2e-cpu.svg"), "Server CPU per request (µs), median of runs", "cpuMicrosPerRequest", null);
    }

    private void chart(Path file, String title, String key, String stormKey) throws IOException {
        List<String> categories = new ArrayList<>();
        List<Double> stock = new ArrayList<>();
        List<Double> looptimer = new ArrayList<>();
        for (Entry e : entries) {
            categories.add(e.scenario().id());
            stock.add(median(e.runs().get("stock"), key));
            looptimer.add(median(e.runs().get("looptimer"), key));
            if (stormKey != null && e.scenario().storm()) {
                categories.add(e.scenario().id() + " (during storm)");
                stock.add(median(e.runs().get("stock"), stormKey));
                looptimer.add(median(e.runs().get("looptimer"), stormKey));
            }
        }
        if (categories.isEmpty()) {
            return;
        }
        CategoryChart chart = new CategoryChartBuilder()
                .width(800)
                .height(400)
                .title(title)
                .xAxisTitle("scenario")
                .yAxisTitle(title.substring(0, title.indexOf(',')))
                .build();
        chart.addSeries("stock Netty", categories, stock);
        chart.addSeries("looptimer", categories, looptimer);
        VectorGraphicsEncoder.saveVectorGraphic(chart, file.toString(), VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
    }
}
