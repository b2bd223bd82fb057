package org.looptimer.bench.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Scenarios (b) and (c) in small, stock and looptimer alike: deadlines fire for slow requests and
 * only for them, heartbeats flow both ways and keep answering connections open, and everything
 * shuts down. Real loops on loopback; verdicts come from counters, polled with generous bounds.
 */
class DeadlineServerTest {

    @ParameterizedTest(name = "stock={0}")
    @ValueSource(booleans = {true, false})
    void deadlinesFireOnlyForSlowRequestsAndHeartbeatsFlow(boolean stock) throws Exception {
        // Generous margins: a fast request answers in well under 2 s even on a crowded machine,
        // and a slow one takes 4 s, so its 2 s deadline always fires first.
        DeadlineServer server = DeadlineServer.start(new DeadlineServer.Config(
                Transport.preferred(),
                stock,
                2,
                0,
                Duration.ofSeconds(2),
                Duration.ofSeconds(4),
                Duration.ofMillis(200),
                20));
        LoadClient client = new LoadClient(new LoadClient.Config(
                Transport.preferred(),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()),
                40,
                160,
                true,
                400,
                0.05,
                0,
                1));
        try {
            client.connect();
            client.startRequests();
            client.startMeasuring();
            awaitTrue(
                    () -> {
                        LoadClient.Result r = client.progress();
                        return r.ok() >= 300 && r.unavailable() >= 5 && r.pingsReceived() >= 200;
                    },
                    "300 answers, 5 deadlines and 200 pings");
            LoadClient.Result r = client.progress();
            assertEquals(0, r.connectFailures(), "connect failures");
            assertEquals(0, r.fastUnavailable(), "fast requests answered 503");
            assertEquals(0, r.slowOk(), "slow requests answered 200");
            assertEquals(0, r.otherStatus(), "other statuses");
            assertEquals(0, r.activeClosed(), "active connections closed by the server");
            assertEquals(0, r.silentClosed(), "silent connections answering pings closed by the server");
            assertTrue(server.metrics().deadlinesFired() >= r.unavailable(), "every 503 is a fired deadline");
            assertTrue(server.metrics().heartbeatsSent() >= r.pingsReceived(), "every ping counted");
            assertEquals(200, server.metrics().openConnections());
        } finally {
            client.close();
            server.close();
        }
        assertTrue(client.isTerminated(), "client loops terminated");
        assertTrue(server.isTerminated(), "server loops terminated");
    }

    @ParameterizedTest(name = "stock={0}")
    @ValueSource(booleans = {true, false})
    void silentPeersThatDoNotAnswerAreClosedAfterTheMissedIntervals(boolean stock) throws Exception {
        DeadlineServer server = DeadlineServer.start(new DeadlineServer.Config(
                Transport.preferred(), stock, 2, 0, Duration.ZERO, Duration.ZERO, Duration.ofMillis(200), 3));
        LoadClient client = new LoadClient(new LoadClient.Config(
                Transport.preferred(),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()),
                0,
                50,
                false,
                1,
                0,
                0,
                1));
        try {
            client.connect();
            awaitTrue(() -> client.progress().silentClosed() == 50, "all 50 silent peers closed");
            assertTrue(client.progress().pingsReceived() >= 50, "pinged before being closed");
            awaitTrue(() -> server.metrics().openConnections() == 0, "the server counts no open connection");
        } finally {
            client.close();
            server.close();
        }
        assertTrue(server.isTerminated(), "server loops terminated");
    }

    static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 60 s: " + what);
            }
            Thread.sleep(20); // polling, not a verdict: the bound above is what fails
        }
    }
}
