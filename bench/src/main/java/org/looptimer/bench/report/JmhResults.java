package org.looptimer.bench.report;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads JMH's JSON results ({@code -rf json}) into {@link Row}s, with Gson.
 *
 * <p>The peer of a row is the benchmark method's name ({@code ChurnBenchmark.looptimer}: suite
 * {@code churn}, peer {@code looptimer}), unless the benchmark chooses its peer with an
 * {@code impl} or {@code loop} parameter, as the Netty-loop benchmarks do: then that parameter's
 * value is the peer and the method joins the suite ({@code inLoopScheduleCancel.scheduleCancel},
 * peer {@code netty}). Either way the peer named {@code looptimer} is the baseline.
 */
public final class JmhResults {

    /** Parameters that name the peer rather than the workload. */
    static final Set<String> PEER_PARAMS = Set.of("impl", "loop");

    private JmhResults() {}

    /** The rows of one JMH result file. */
    public static List<Row> read(Path file) throws IOException {
        return parse(JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)));
    }

    static List<Row> parse(JsonElement root) {
        List<Row> rows = new ArrayList<>();
        for (JsonElement e : root.getAsJsonArray()) {
            JsonObject result = e.getAsJsonObject();
            String benchmark = result.get("benchmark").getAsString();
            String[] parts = benchmark.split("\\.", -1);
            String method = parts[parts.length - 1];
            String suite = suiteName(parts.length >= 2 ? parts[parts.length - 2] : "");
            Map<String, String> params = new TreeMap<>();
            String peer = method;
            if (result.has("params")) {
                for (Map.Entry<String, JsonElement> p :
                        result.getAsJsonObject("params").entrySet()) {
                    if (PEER_PARAMS.contains(p.getKey())) {
                        peer = p.getValue().getAsString();
                        suite = suiteName(parts[parts.length - 2]) + "." + method;
                    } else {
                        params.put(p.getKey(), p.getValue().getAsString());
                    }
                }
            }
            JsonObject primary = result.getAsJsonObject("primaryMetric");
            JsonObject secondary =
                    result.has("secondaryMetrics") ? result.getAsJsonObject("secondaryMetrics") : new JsonObject();
            rows.add(new Row(
                    suite,
                    peer,
                    formatParams(params),
                    number(primary.get("score")),
                    number(primary.get("scoreError")),
                    primary.get("scoreUnit").getAsString(),
                    secondaryScore(secondary, "gc.alloc.rate.norm"),
                    secondaryScore(secondary, "cpu.time.norm"),
                    null));
        }
        return rows;
    }

    /** JMH writes "NaN" as a string when it has no error estimate (one iteration). */
    private static double number(JsonElement e) {
        if (e == null || e.isJsonNull()) {
            return Double.NaN;
        }
        if (e.getAsJsonPrimitive().isString()) {
            try {
                return Double.parseDouble(e.getAsString());
            } catch (NumberFormatException notANumber) {
                return Double.NaN;
            }
        }
        return e.getAsDouble();
    }

    private static double secondaryScore(JsonObject secondary, String name) {
        return secondary.has(name) ? number(secondary.getAsJsonObject(name).get("score")) : Double.NaN;
    }

    /** ChurnBenchmark -> churn */
    static String suiteName(String className) {
        String s = className.endsWith("Benchmark")
                ? className.substring(0, className.length() - "Benchmark".length())
                : className;
        return s.isEmpty() ? s : s.substring(0, 1).toLowerCase(Locale.ROOT) + s.substring(1);
    }

    private static String formatParams(Map<String, String> params) {
        StringBuilder sb = new StringBuilder();
        params.forEach((k, v) -> {
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(k).append('=').append(v);
        });
        return sb.toString();
    }

    /** The raw JMH array, for results.json. */
    static JsonArray raw(Path file) throws IOException {
        return JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8))
                .getAsJsonArray();
    }
}
