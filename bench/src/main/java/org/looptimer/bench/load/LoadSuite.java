package org.looptimer.bench.load;

import com.google.gson.GsonBuilder;
import io.netty.channel.EventLoop;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.looptimer.bench.report.Row;

/**
 * Timers under load, three suites a reader of the JMH tables still asks about:
 * <ul>
 *   <li><b>lateness</b>: one loop holds {@code liveTimers} timers and fires {@code firesPerSecond}
 *       of them (each re-arms itself one period later, so the population holds) while it also
 *       serves an echo connection pinged every millisecond from another loop. Every run's lateness
 *       (fire time minus deadline) goes into an HdrHistogram; the rows are p50, p99, p99.9 and max
 *       per peer, and the echo round trip's p99.</li>
 *   <li><b>burst</b>: {@code liveTimers} timers fall due at one instant on a loop that serves an
 *       echo connection pinged back to back from another loop (700k heartbeats firing together):
 *       the time to drain them, and the echo round trips completed meanwhile and the slowest.</li>
 *   <li><b>memory</b>: schedule {@code liveTimers} one-hour timers, stop them all, and report the
 *       heap still held after a GC, per timer: what a cancelled timer costs once it is gone.</li>
 * </ul>
 *
 * <p>Usage: {@code java -cp benchmarks.jar org.looptimer.bench.load.LoadSuite --out <dir> [--quick]
 * [--peers a,b] [--file load.json]}. Quick uses 200k timers for lateness (100k fires/s, 1 s
 * warm-up, 1.5 s window) and 1M for burst and memory; full uses 1M, 10 s warm-up, 20 s window.
 *
 * <p>Threads: the driver thread runs each suite; timer callbacks run where each peer runs them.
 */
public final class LoadSuite {

    /** Runs only when asked for by name ({@code --peers}), in a JVM of JDK 25 or later. */
    static final String JDK25_PEER = "jdk25ForkJoinPool";

    static final List<String> LATENESS_PEERS = List.of(
            "looptimer", "nettyEventLoop", "hashedWheel100ms", "hashedWheel1ms", "jdkScheduledPool", JDK25_PEER);
    static final List<String> BURST_PEERS = List.of("looptimer", "nettyEventLoop");
    static final List<String> MEMORY_PEERS = List.of(
            "looptimer",
            "nettyEventLoop",
            "hashedWheel100ms",
            "jdkScheduledPool",
            "jdkScheduledPoolKeepCancelled",
            JDK25_PEER);
    static final long HOUR = TimeUnit.HOURS.toNanos(1);

    final int latenessTimers;
    final int firesPerSecond;
    final long warmNanos;
    final long windowNanos;
    final int burstTimers;
    final int memoryTimers;

    LoadSuite(
            int latenessTimers,
            int firesPerSecond,
            long warmNanos,
            long windowNanos,
            int burstTimers,
            int memoryTimers) {
        this.latenessTimers = latenessTimers;
        this.firesPerSecond = firesPerSecond;
        this.warmNanos = warmNanos;
        this.windowNanos = windowNanos;
        this.burstTimers = burstTimers;
        this.memoryTimers = memoryTimers;
    }

    public static void main(String[] args) throws Exception {
        Path out = null;
        boolean quick = false;
        List<String> only = null;
        String file = "load.json";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--out" -> out = Path.of(args[++i]);
                case "--quick" -> quick = true;
                case "--peers" -> only = Arrays.asList(args[++i].split(",", -1));
                case "--file" -> file = args[++i];
                default ->
                    throw new IllegalArgumentException(
                            "usage: LoadSuite --out <dir> [--quick] [--peers a,b] [--file f]");
            }
        }
        if (out == null) {
            throw new IllegalArgumentException("usage: LoadSuite --out <dir> [--quick] [--peers a,b] [--file f]");
        }
        LoadSuite suite = quick
                ? new LoadSuite(
                        200_000,
                        100_000,
                        TimeUnit.SECONDS.toNanos(1),
                        TimeUnit.SECONDS.toNanos(2),
                        1_000_000,
                        1_000_000)
                : new LoadSuite(
                        1_000_000,
                        100_000,
                        TimeUnit.SECONDS.toNanos(10),
                        TimeUnit.SECONDS.toNanos(20),
                        1_000_000,
                        1_000_000);
        // Warm the JIT on the shared code (echo, recording, re-arming) with a short untimed round,
        // so that the first peer measured does not pay for it.
        LoadSuite warmUp = new LoadSuite(
                20_000,
                100_000,
                TimeUnit.MILLISECONDS.toNanos(300),
                TimeUnit.MILLISECONDS.toNanos(300),
                20_000,
                20_000);
        List<String> warmPeers = pick(LATENESS_PEERS, only);
        for (String peer : warmPeers.subList(0, Math.min(2, warmPeers.size()))) {
            warmUp.lateness(peer);
        }
        System.out.println("  (the lines above warmed the JIT up; they are not in the report)");
        List<Row> rows = new ArrayList<>();
        for (String peer : pick(LATENESS_PEERS, only)) {
            rows.addAll(suite.lateness(peer));
        }
        for (String peer : pick(BURST_PEERS, only)) {
            rows.addAll(suite.burst(peer));
        }
        for (String peer : pick(MEMORY_PEERS, only)) {
            rows.add(suite.memory(peer));
        }
        Files.createDirectories(out);
        Files.writeString(
                out.resolve(file),
                new GsonBuilder()
                        .serializeSpecialFloatingPointValues()
                        .setPrettyPrinting()
                        .disableHtmlEscaping()
                        .create()
                        .toJson(rows),
                StandardCharsets.UTF_8);
    }

    /** The suite's peers that were asked for; by default all but JDK 25's, which must be named. */
    private static List<String> pick(List<String> peers, List<String> only) {
        List<String> picked = new ArrayList<>(peers);
        if (only == null) {
            picked.remove(JDK25_PEER);
        } else {
            picked.retainAll(only);
        }
        return picked;
    }

    String latenessParams() {
        return "liveTimers=" + latenessTimers + ",firesPerSecond=" + firesPerSecond;
    }

    /** A timer that re-arms itself one period after its last deadline and records its lateness. */
    static final class HeldTimer implements Runnable {
        private final TimerPeer peer;
        private final Recorder lateness;
        private final long period;
        private final boolean[] stopping;
        /** The thread that runs this timer only (one peer thread); set before the first arming. */
        long deadline;

        HeldTimer(TimerPeer peer, Recorder lateness, long period, boolean[] stopping) {
            this.peer = peer;
            this.lateness = lateness;
            this.period = period;
            this.stopping = stopping;
        }

        @Override
        public void run() {
            long now = System.nanoTime();
            lateness.recordValue(Math.max(0, now - deadline));
            if (stopping[0]) {
                return;
            }
            deadline += period;
            peer.schedule(this, deadline - System.nanoTime());
        }
    }

    List<Row> lateness(String peerName) throws Exception {
        String params = latenessParams();
        TimerPeer peer;
        try {
            peer = TimerPeer.named(peerName);
        } catch (UnsupportedOperationException e) {
            return List.of(Row.skipped("lateness", peerName, params, "p99-late-ns", "skipped: " + e.getMessage()));
        }
        try (peer;
                EchoClient echo = new EchoClient(peer.echoLoop, TimeUnit.MILLISECONDS.toNanos(1))) {
            Recorder lateness = new Recorder(3);
            long period = TimeUnit.SECONDS.toNanos(1) * latenessTimers / firesPerSecond;
            // A plain flag read by the firing threads: a late stop only costs a few more re-arms.
            boolean[] stopping = {false};
            long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
            Runnable armAll = () -> {
                for (int i = 0; i < latenessTimers; i++) {
                    HeldTimer t = new HeldTimer(peer, lateness, period, stopping);
                    t.deadline = start + period * i / latenessTimers;
                    peer.schedule(t, t.deadline - System.nanoTime());
                }
            };
            if (peer.onEchoLoop()) {
                onLoop(peer.echoLoop, armAll);
            } else {
                armAll.run();
            }
            echo.start();
            sleepUntil(start + warmNanos);
            lateness.reset();
            echo.roundTrips.reset();
            Thread.sleep(TimeUnit.NANOSECONDS.toMillis(windowNanos));
            Histogram late = lateness.getIntervalHistogram();
            Histogram rtt = echo.roundTrips.getIntervalHistogram();
            stopping[0] = true;
            List<Row> rows = new ArrayList<>();
            rows.add(Row.measured(
                    "lateness", peerName, params, (double) late.getValueAtPercentile(50), Double.NaN, "p50-late-ns"));
            rows.add(Row.measured(
                    "lateness", peerName, params, (double) late.getValueAtPercentile(99), Double.NaN, "p99-late-ns"));
            rows.add(Row.measured(
                    "lateness",
                    peerName,
                    params,
                    (double) late.getValueAtPercentile(99.9),
                    Double.NaN,
                    "p99.9-late-ns"));
            rows.add(
                    Row.measured("lateness", peerName, params, (double) late.getMaxValue(), Double.NaN, "max-late-ns"));
            rows.add(Row.measured(
                    "lateness", peerName, params, late.getTotalCount() * 1e9 / windowNanos, Double.NaN, "fires/s"));
            rows.add(Row.measured(
                    "lateness", peerName, params, (double) rtt.getValueAtPercentile(99), Double.NaN, "echo-p99-ns"));
            System.out.printf(
                    Locale.ROOT,
                    "  lateness %-30s p50 %,10d ns  p99 %,12d ns  p99.9 %,12d ns  max %,12d ns  fires/s %,9.0f  echo p99 %,10d ns%n",
                    peerName,
                    late.getValueAtPercentile(50),
                    late.getValueAtPercentile(99),
                    late.getValueAtPercentile(99.9),
                    late.getMaxValue(),
                    late.getTotalCount() * 1e9 / windowNanos,
                    rtt.getValueAtPercentile(99));
            return rows;
        }
    }

    List<Row> burst(String peerName) throws Exception {
        String params = "liveTimers=" + burstTimers;
        try (TimerPeer peer = TimerPeer.named(peerName);
                EchoClient echo = new EchoClient(peer.echoLoop, 0)) {
            long[] fired = {0};
            long[] lastFire = {0};
            CountDownLatch drained = new CountDownLatch(1);
            int n = burstTimers;
            Runnable fire = () -> {
                if (++fired[0] == n) {
                    lastFire[0] = System.nanoTime();
                    drained.countDown();
                }
            };
            echo.start();
            long due = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            onLoop(peer.echoLoop, () -> {
                for (int i = 0; i < n; i++) {
                    peer.schedule(fire, due - System.nanoTime());
                }
            });
            echo.openWindow(due);
            if (!drained.await(5, TimeUnit.MINUTES)) {
                throw new IllegalStateException(peerName + ": the burst did not drain");
            }
            // The loop wrote lastFire before the latch's count-down; the await reads it after.
            long end = lastFire[0];
            echo.closeWindow(end);
            Thread.sleep(1000); // let the round trip that straddles the drain's end come back
            long[] window = echo.window();
            List<Row> rows = List.of(
                    Row.measured("burst", peerName, params, (end - due) / 1e6, Double.NaN, "drain-ms"),
                    Row.measured("burst", peerName, params, (double) window[0], Double.NaN, "echo-round-trips"),
                    Row.measured("burst", peerName, params, window[1] / 1e6, Double.NaN, "echo-max-ms"));
            System.out.printf(
                    Locale.ROOT,
                    "  burst    %-30s drain %,8.1f ms  echo round trips %,7d  slowest %,8.1f ms%n",
                    peerName,
                    (end - due) / 1e6,
                    window[0],
                    window[1] / 1e6);
            return rows;
        }
    }

    Row memory(String peerName) throws Exception {
        String params = "liveTimers=" + memoryTimers;
        TimerPeer peer;
        try {
            peer = TimerPeer.named(peerName);
        } catch (UnsupportedOperationException e) {
            return Row.skipped("memory", peerName, params, "retained-B/timer", "skipped: " + e.getMessage());
        }
        try (peer) {
            long before = usedAfterGc();
            // The handles live in a box the stop empties, so our own array is not counted as retained.
            Object[][] box = {new Object[memoryTimers]};
            Runnable noop = () -> {};
            Runnable arm = () -> {
                Object[] handles = box[0];
                for (int i = 0; i < handles.length; i++) {
                    handles[i] = peer.schedule(noop, HOUR);
                }
            };
            Runnable stop = () -> {
                for (Object h : box[0]) {
                    peer.stop(h);
                }
                box[0] = null;
            };
            if (peer.onEchoLoop()) {
                onLoop(peer.echoLoop, arm);
                onLoop(peer.echoLoop, stop);
            } else {
                arm.run();
                stop.run();
            }
            Thread.sleep(300); // a wheel drops cancelled timeouts on its next tick; loops on their next pass
            if (peer.onEchoLoop()) {
                onLoop(peer.echoLoop, () -> {});
            }
            long after = usedAfterGc();
            double perTimer = (double) (after - before) / memoryTimers;
            System.out.printf(
                    Locale.ROOT, "  memory   %-30s %,8.1f B per stopped timer still held%n", peerName, perTimer);
            return Row.measured("memory", peerName, params, Math.max(0, perTimer), Double.NaN, "retained-B/timer");
        }
    }

    /**
     * The heap's live bytes as the last of three full collections left them: each heap pool's
     * usage right after its last collection, not the heap's usage now, which would also count
     * what the echo loop allocated since (a couple of MB in a few milliseconds).
     */
    static long usedAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
        }
        long used = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            MemoryUsage afterGc = pool.getType() == MemoryType.HEAP ? pool.getCollectionUsage() : null;
            if (afterGc != null) {
                used += afterGc.getUsed();
            }
        }
        return used;
    }

    static void sleepUntil(long nanoTime) throws InterruptedException {
        long left;
        while ((left = nanoTime - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }

    static void onLoop(EventLoop loop, Runnable body) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        Throwable[] failure = {null};
        loop.execute(() -> {
            try {
                body.run();
            } catch (Throwable t) {
                failure[0] = t;
            } finally {
                done.countDown();
            }
        });
        if (!done.await(5, TimeUnit.MINUTES)) {
            throw new IllegalStateException("loop task did not finish in 5 minutes");
        }
        if (failure[0] != null) {
            throw new IllegalStateException("loop task failed", failure[0]);
        }
    }
}
