package org.looptimer.bench.e2e;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The same {@link DeadlineServer}s driven by {@code wrk} (closed loop, as fast as it goes), when
 * {@code wrk} is installed: a second opinion on requests/s and latency from a load generator that
 * is not ours. {@code wrk} does not correct coordinated omission, so its latencies are lower than
 * {@link LoadClient}'s under the same server; compare sides, not tools.
 *
 * <p>Threads: one driving thread.
 */
final class WrkRun {

    private static final List<String> WRK_ARGS = List.of("-t1", "-c256", "-d3s", "--latency");
    static final String COMMAND = "wrk " + String.join(" ", WRK_ARGS);
    private static final Pattern RATE = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
    private static final Pattern PERCENTILE = Pattern.compile("^\\s+(50|99)%\\s+([0-9.]+)(us|ms|s)\\s*$");

    private final Transport transport;
    private final int repeats;
    private final Path logs;
    private final List<String> jvm;

    WrkRun(Transport transport, int repeats, Path logs, List<String> jvm) {
        this.transport = transport;
        this.repeats = repeats;
        this.logs = logs;
        this.jvm = jvm;
    }

    /** The report's wrk entry when it did not run, and why. */
    static JsonObject skipped(String reason) {
        JsonObject o = new JsonObject();
        o.addProperty("available", false);
        o.addProperty("reason", reason);
        return o;
    }

    /** Runs stock and looptimer alternately under wrk; a skipped entry if wrk is not on the PATH. */
    JsonObject run() throws IOException, InterruptedException {
        Path wrk = onPath("wrk");
        if (wrk == null) {
            return skipped("wrk is not installed, so only LoadClient drove the servers; to add these rows install it"
                    + " (Debian/Ubuntu: apt-get install wrk) and rerun bench/run e2e");
        }
        JsonObject o = new JsonObject();
        o.addProperty("available", true);
        o.addProperty(
                "command", COMMAND + " http://127.0.0.1:PORT/ against DeadlineServer --deadline 50ms --heartbeat 2s");
        Map<String, JsonArray> runs = new TreeMap<>();
        for (int r = 0; r < repeats; r++) {
            for (String side : List.of("stock", "looptimer")) {
                System.out.printf("e2e: wrk, %s, run %d of %d ...%n", side, r + 1, repeats);
                runs.computeIfAbsent(side, k -> new JsonArray()).add(runOnce(wrk, side.equals("stock"), r));
            }
        }
        runs.forEach(o::add);
        return o;
    }

    private JsonObject runOnce(Path wrk, boolean stock, int repeat) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(
                List.of("--transport", transport.label(), "--deadline", "50ms", "--heartbeat", "2s", "--missed", "3"));
        if (stock) {
            args.add("--stock");
        }
        String name = "wrk-" + (stock ? "stock" : "looptimer") + "-" + (repeat + 1);
        try (ServerProcess server =
                new ServerProcess(name, DeadlineServer.class, jvm, args, logs.resolve(name + ".log"))) {
            JsonObject before = server.stats(false);
            List<String> command = new ArrayList<>(List.of(wrk.toString()));
            command.addAll(WRK_ARGS);
            command.add("http://127.0.0.1:" + server.port() + "/");
            Path output = logs.resolve(name + ".txt");
            Process p = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new IOException("wrk did not finish within 60 s");
            }
            JsonObject after = server.stats(false);
            server.stop();
            JsonObject row = parse(Files.readString(output, StandardCharsets.UTF_8));
            row.addProperty(
                    "serverCpuSeconds",
                    (after.get("cpuNanos").getAsDouble()
                                    - before.get("cpuNanos").getAsDouble())
                            / 1e9);
            return row;
        }
    }

    /** Requests/s and the p50 and p99 latency (ms) from wrk's {@code --latency} output. */
    static JsonObject parse(String text) {
        JsonObject row = new JsonObject();
        Matcher rate = RATE.matcher(text);
        row.addProperty("requestsPerSecond", rate.find() ? Double.parseDouble(rate.group(1)) : Double.NaN);
        for (String line : (Iterable<String>) text.lines()::iterator) {
            Matcher m = PERCENTILE.matcher(line);
            if (m.matches()) {
                double v = Double.parseDouble(m.group(2));
                double ms = switch (m.group(3)) {
                    case "us" -> v / 1000;
                    case "s" -> v * 1000;
                    default -> v;
                };
                row.addProperty("p" + m.group(1) + "Ms", ms);
            }
        }
        return row;
    }

    private static Path onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : Pattern.compile(Pattern.quote(File.pathSeparator))
                .splitAsStream(path)
                .toList()) {
            Path candidate = Path.of(dir, program);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}
