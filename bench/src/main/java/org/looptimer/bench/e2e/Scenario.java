package org.looptimer.bench.e2e;

import java.time.Duration;
import java.util.List;

/**
 * One end-to-end scenario of {@link E2eSuite}: which server, how many connections (active ones
 * send requests at {@code rate} in total, silent ones never do), and the timers in play.
 */
record Scenario(
        String id,
        String title,
        boolean proxy,
        int active,
        int silent,
        int rate,
        double slowShare,
        Duration idle,
        Duration heartbeat,
        Duration deadline,
        Duration work,
        Duration warmup,
        Duration measure,
        boolean storm) {

    int connections() {
        return active + silent;
    }

    /** How big each scenario is: the sizes, a quarter of them, or a smoke test's. */
    enum Size {
        FULL(1.0, Duration.ofSeconds(4)),
        QUICK(0.25, Duration.ofSeconds(3)),
        SMOKE(0.02, Duration.ofSeconds(1));

        final double scale;
        final Duration measure;

        Size(double scale, Duration measure) {
            this.scale = scale;
            this.measure = measure;
        }

        int of(int n) {
            return Math.max(10, (int) Math.round(n * scale));
        }
    }

    /**
     * The three scenarios: (a) the proxy with 10,000 connections, 2,000 of them silent with a 2 s
     * idle timeout; (b) the deadline server at a fixed rate with heartbeats on 10,000 connections;
     * (c) a heartbeat storm on 20,000 connections while requests keep coming.
     */
    static List<Scenario> all(Size size) {
        boolean smoke = size == Size.SMOKE;
        Duration warmup = smoke ? Duration.ofMillis(300) : Duration.ofSeconds(1);
        // Every active proxy connection sends about once a second, well inside its 2 s idle timeout
        // (in a smoke run four times a second, inside 500 ms).
        int proxyActive = size.of(8_000);
        Scenario proxy = new Scenario(
                "proxy",
                "(a) IdleTimeoutProxy: idle timeouts on every connection, 20% of them silent",
                true,
                proxyActive,
                size.of(2_000),
                smoke ? 4 * proxyActive : proxyActive,
                0,
                smoke ? Duration.ofMillis(500) : Duration.ofSeconds(2),
                Duration.ZERO,
                Duration.ZERO,
                Duration.ZERO,
                warmup,
                smoke ? Duration.ofMillis(1500) : Duration.ofSeconds(4),
                false);
        Scenario deadline = new Scenario(
                "deadline",
                "(b) DeadlineServer: a deadline per request (2% slow ones fire), heartbeats on every connection",
                false,
                size.of(1_000),
                size.of(9_000),
                size.of(4_000),
                0.02,
                Duration.ZERO,
                smoke ? Duration.ofMillis(300) : Duration.ofSeconds(2),
                Duration.ofMillis(50),
                Duration.ofMillis(100),
                warmup,
                size.measure,
                false);
        Scenario storm = new Scenario(
                "storm",
                "(c) Heartbeat storm: heartbeats of every connection fall due together while requests keep coming",
                false,
                size.of(500),
                size.of(19_500),
                size.of(2_000),
                0,
                Duration.ZERO,
                smoke ? Duration.ofMillis(800) : Duration.ofSeconds(5),
                Duration.ofMillis(50),
                Duration.ofMillis(100),
                Duration.ZERO,
                Duration.ZERO, // measured from the end of connecting until after the storm
                true);
        return List.of(proxy, deadline, storm);
    }

    /** This scenario scaled down, active, silent and rate alike, to at most {@code maxConnections}. */
    Scenario limitedTo(int maxConnections) {
        if (connections() <= maxConnections) {
            return this;
        }
        double f = (double) maxConnections / connections();
        int a = Math.max(1, (int) (active * f));
        int s = maxConnections - a;
        int r = Math.max(1, (int) (rate * f));
        return new Scenario(
                id, title, proxy, a, s, r, slowShare, idle, heartbeat, deadline, work, warmup, measure, storm);
    }
}
