package org.looptimer.bench.e2e;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The end-to-end run behind {@code bench/run e2e}: each {@link Scenario}, stock Netty against
 * looptimer, alternated (stock, looptimer, stock, looptimer …) and repeated, each server in a JVM
 * of its own on a free loopback port, loaded by an in-process {@link LoadClient}; then
 * {@code e2e.json}, {@code e2e.md} and the {@code e2e-*.svg} charts in {@code --out}.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar org.looptimer.bench.e2e.E2eSuite --out bench/results/e2e [--quick]
 * </pre>
 *
 * <p>Connections per process are capped by the open-file limit, which {@code bench/run} raises to
 * the hard limit before it starts Java; the report says when a scenario had to shrink.
 *
 * <p>Threads: {@code main} drives everything, one run at a time.
 */
public final class E2eSuite {

    static final String USAGE = """
            E2eSuite: stock Netty against looptimer, end to end, each server in its own JVM.

              --out DIR               where e2e.json, e2e.md and e2e-*.svg go (required)
              --quick                 a quarter of the connections, shorter runs, one repeat (~1.5 min)
              --smoke                 a few hundred connections, one repeat: checks that it all works
              --repeats N             repeats of each scenario and side (default 3; --quick, --smoke: 1)
              --transport NAME        nio, epoll or io_uring (default: epoll where available, else nio)
              --only ID               only the scenario proxy, deadline or storm
              --no-wrk                skip the wrk rows even when wrk is installed""";

    /** Every server JVM: a fixed, pre-touched heap, so page faults do not land inside a run. */
    private static final List<String> SERVER_JVM =
            List.of("-Xms768m", "-Xmx768m", "-XX:+UseG1GC", "-XX:+AlwaysPreTouch", "-Djava.awt.headless=true");

    /** Descriptors a process needs beyond its connections (jars, epoll, pipes), kept free. */
    private static final int SPARE_FILES = 1_000;

    private final Path out;
    private final Transport transport;
    private final int repeats;
    private final List<String> notes = new ArrayList<>();

    private E2eSuite(Path out, Transport transport, int repeats) {
        this.out = out;
        this.transport = transport;
        this.repeats = repeats;
    }

    public static void main(String[] args) throws Exception {
        Options o = Options.parse(
                args, USAGE, Set.of("out", "repeats", "transport", "only"), Set.of("quick", "smoke", "no-wrk"));
        if (o == null) {
            return;
        }
        String dir = o.string("out", null);
        if (dir == null) {
            throw new IllegalArgumentException("--out DIR is required\n\n" + USAGE);
        }
        Scenario.Size size =
                o.flag("smoke") ? Scenario.Size.SMOKE : o.flag("quick") ? Scenario.Size.QUICK : Scenario.Size.FULL;
        int repeats = o.integer("repeats", size == Scenario.Size.FULL ? 3 : 1);
        Transport transport =
                Transport.named(o.string("transport", Transport.preferred().label()));
        E2eSuite suite = new E2eSuite(Path.of(dir), transport, repeats);
        List<Scenario> scenarios = new ArrayList<>();
        for (Scenario s : Scenario.all(size)) {
            if (o.string("only", s.id()).equals(s.id())) {
                scenarios.add(s);
            }
        }
        E2eReport report = suite.run(scenarios, size, !o.flag("no-wrk"));
        report.write(Path.of(dir));
        System.out.println("e2e: wrote " + Path.of(dir).resolve("e2e.md") + ", e2e.json and e2e-*.svg");
    }

    /** Runs every scenario and returns what they measured. */
    E2eReport run(List<Scenario> scenarios, Scenario.Size size, boolean withWrk)
            throws IOException, InterruptedException {
        Files.createDirectories(out.resolve("e2e-logs"));
        long fileLimit = ServerMetrics.openFileLimit();
        int perProcess = fileLimit > 0 ? (int) Math.max(100, fileLimit - SPARE_FILES) : Integer.MAX_VALUE;
        E2eReport report = new E2eReport(size, transport, repeats, fileLimit, notes);
        for (Scenario wanted : scenarios) {
            // The proxy holds two descriptors per client connection; the client (this JVM) one.
            Scenario s = wanted.limitedTo(wanted.proxy() ? perProcess / 2 : perProcess);
            if (!s.equals(wanted)) {
                notes.add(String.format(
                        "(%s) ran with %,d connections instead of %,d: the open-file limit is %,d (ulimit -n;"
                                + " bench/run raises it to the hard limit, which only root can lift)",
                        s.id(), s.connections(), wanted.connections(), fileLimit));
            }
            report.add(s, runScenario(s));
        }
        if (withWrk) {
            report.wrk(new WrkRun(transport, repeats, out.resolve("e2e-logs"), SERVER_JVM).run());
        } else {
            report.wrk(WrkRun.skipped("skipped by --no-wrk"));
        }
        return report;
    }

    private Map<String, List<Map<String, Double>>> runScenario(Scenario s) throws IOException, InterruptedException {
        Map<String, List<Map<String, Double>>> runs = new LinkedHashMap<>();
        runs.put("stock", new ArrayList<>());
        runs.put("looptimer", new ArrayList<>());
        ServerProcess backend = null;
        try {
            if (s.proxy()) {
                // One backend for every proxy run of the scenario: the same for both sides.
                backend = new ServerProcess(
                        "backend",
                        DeadlineServer.class,
                        SERVER_JVM,
                        List.of("--stock", "--transport", transport.label(), "--deadline", "0", "--heartbeat", "0"),
                        out.resolve("e2e-logs/" + s.id() + "-backend.log"));
            }
            for (int r = 0; r < repeats; r++) {
                for (String side : runs.keySet()) {
                    System.out.printf("e2e: %s, %s, run %d of %d ...%n", s.id(), side, r + 1, repeats);
                    Map<String, Double> m = runOnce(s, side.equals("stock"), backend, r);
                    System.out.printf(
                            "e2e:   %.0f requests/s, p99 %.2f ms, server CPU %.2f s%n",
                            m.get("requestsPerSecond"), m.get("p99Ms"), m.get("serverCpuSeconds"));
                    runs.get(side).add(m);
                }
            }
            if (backend != null) {
                backend.stop();
            }
        } finally {
            if (backend != null) {
                backend.close();
            }
        }
        return runs;
    }

    private Map<String, Double> runOnce(Scenario s, boolean stock, ServerProcess backend, int repeat)
            throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("--transport", transport.label()));
        if (stock) {
            args.add("--stock");
        }
        Class<?> main;
        if (s.proxy()) {
            main = IdleTimeoutProxy.class;
            args.addAll(List.of("--backend", "localhost:" + backend.port(), "--idle", millis(s.idle())));
        } else {
            main = DeadlineServer.class;
            args.addAll(List.of(
                    "--deadline", millis(s.deadline()),
                    "--work", millis(s.work()),
                    "--heartbeat", millis(s.heartbeat()),
                    "--missed", "3"));
        }
        String name = s.id() + "-" + (stock ? "stock" : "looptimer") + "-" + (repeat + 1);
        Map<String, Double> m = new LinkedHashMap<>();
        try (ServerProcess server =
                new ServerProcess(name, main, SERVER_JVM, args, out.resolve("e2e-logs/" + name + ".log"))) {
            JsonObject empty = server.stats(true);
            LoadClient.Result result;
            JsonObject before;
            JsonObject after;
            JsonObject connected;
            LoadClient client = new LoadClient(new LoadClient.Config(
                    transport,
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()),
                    s.active(),
                    s.silent(),
                    !s.proxy(),
                    s.rate(),
                    s.slowShare(),
                    0,
                    1));
            try {
                client.connect();
                connected = server.stats(true);
                client.startRequests();
                long measureNanos;
                if (s.storm()) {
                    // Every connection's first heartbeat falls due one interval after it opened.
                    long hb = s.heartbeat().toNanos();
                    long stormStart = client.connectStartNanos() + hb;
                    long stormEnd = client.connectEndNanos() + hb + TimeUnit.MILLISECONDS.toNanos(250);
                    client.stormWindow(stormStart, stormEnd);
                    measureNanos = stormEnd + TimeUnit.SECONDS.toNanos(1) - System.nanoTime();
                } else {
                    TimeUnit.NANOSECONDS.sleep(s.warmup().toNanos());
                    measureNanos = s.measure().toNanos();
                }
                before = server.stats(false);
                client.startMeasuring();
                TimeUnit.NANOSECONDS.sleep(measureNanos);
                result = client.stopMeasuring();
                after = server.stats(false);
            } finally {
                client.close();
            }
            JsonObject last = server.stop();
            double requests = Math.max(1, result.requests());
            double seconds = result.seconds();
            long connections = s.connections() - result.connectFailures();
            m.put("connections", (double) s.connections());
            m.put("connectFailures", (double) result.connectFailures());
            m.put("connectSeconds", result.connectSeconds());
            // Accepted by the server once the client's connects completed: the kernel completes a
            // handshake before the server accepts, so a lagging server shows here.
            m.put("acceptedConnections", connected.get("acceptedConnections").getAsDouble());
            m.put("requestsPerSecond", result.requestsPerSecond());
            m.put("targetRequestsPerSecond", (double) s.rate());
            m.put("p50Ms", result.p50Micros() / 1000);
            m.put("p99Ms", result.p99Micros() / 1000);
            m.put("p999Ms", result.p999Micros() / 1000);
            m.put("maxMs", result.maxMicros() / 1000);
            if (s.storm()) {
                m.put("stormRequests", (double) result.stormRequests());
                m.put("stormP99Ms", result.stormP99Micros() / 1000);
            }
            double cpu = delta(before, after, "cpuNanos") / 1e9;
            double allocated = delta(before, after, "allocatedBytes");
            m.put("serverCpuSeconds", cpu);
            m.put("cpuMicrosPerRequest", cpu * 1e6 / requests);
            m.put("allocationMBPerSecond", allocated / 1e6 / seconds);
            m.put("allocatedBytesPerRequest", allocated / requests);
            m.put(
                    "heapBytesPerConnection",
                    (connected.get("heapUsedBytes").getAsDouble()
                                    - empty.get("heapUsedBytes").getAsDouble())
                            / Math.max(1, connections));
            if (s.proxy()) {
                m.put("silentConnections", (double) s.silent());
                m.put("idleCloses", last.get("idleCloses").getAsDouble());
                m.put("earlyIdleCloses", last.get("earlyIdleCloses").getAsDouble());
                m.put("idleLatenessP50Ms", last.get("idleLatenessP50Nanos").getAsDouble() / 1e6);
                m.put("idleLatenessP99Ms", last.get("idleLatenessP99Nanos").getAsDouble() / 1e6);
                m.put("idleLatenessMaxMs", last.get("idleLatenessMaxNanos").getAsDouble() / 1e6);
            } else {
                m.put("deadlinesFired", delta(before, after, "deadlinesFired"));
                m.put("fastRequestsAnswered503", (double) result.fastUnavailable());
                m.put("slowRequestsAnswered200", (double) result.slowOk());
                m.put("heartbeatsSent", delta(before, after, "heartbeatsSent"));
                m.put("pingsReceived", (double) result.pingsReceived());
                m.put("deadPeerCloses", last.get("deadPeerCloses").getAsDouble());
            }
            m.put("activeClosed", (double) result.activeClosed());
            m.put("loopWakeupsPerSecond", delta(before, after, "wakeups") / seconds);
            m.put("loopPollsPerSecond", delta(before, after, "polls") / seconds);
            m.put("serverExitedCleanly", server.exitedOnItsOwn() ? 1.0 : 0.0);
            m.put("clientLoopsTerminated", client.isTerminated() ? 1.0 : 0.0);
        }
        return m;
    }

    private static double delta(JsonObject before, JsonObject after, String key) {
        return after.get(key).getAsDouble() - before.get(key).getAsDouble();
    }

    private static String millis(Duration d) {
        return d.toMillis() + "ms";
    }
}
