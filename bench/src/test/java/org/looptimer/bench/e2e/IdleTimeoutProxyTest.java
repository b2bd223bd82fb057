package org.looptimer.bench.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.looptimer.bench.e2e.DeadlineServerTest.awaitTrue;

import java.io.DataInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Scenario (a) in small, stock and looptimer alike: every byte crosses the proxy both ways, silent
 * connections are closed after the idle timeout and never before it, active ones are never
 * closed, and everything shuts down. Real loops on loopback; verdicts come from counters and
 * bytes, polled with generous bounds.
 */
class IdleTimeoutProxyTest {

    @ParameterizedTest(name = "stock={0}")
    @ValueSource(booleans = {true, false})
    void everyProxiedByteArrivesBothWays(boolean stock) throws Exception {
        ExecutorService threads = Executors.newCachedThreadPool();
        try (ServerSocket echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Future<Void> server = threads.submit(() -> echoForever(echo, threads));
            IdleTimeoutProxy proxy = IdleTimeoutProxy.start(new IdleTimeoutProxy.Config(
                    Transport.preferred(),
                    stock,
                    2,
                    0,
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), echo.getLocalPort()),
                    Duration.ofSeconds(30)));
            try {
                List<Future<byte[][]>> transfers = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    int seed = i;
                    transfers.add(threads.submit(() -> roundTrip(proxy.port(), 2 << 20, seed)));
                }
                for (Future<byte[][]> t : transfers) {
                    byte[][] sentAndReceived = t.get();
                    assertArrayEquals(sentAndReceived[0], sentAndReceived[1], "the bytes that came back");
                }
            } finally {
                proxy.close();
            }
            assertTrue(proxy.isTerminated(), "proxy loops terminated");
            server.cancel(true);
        } finally {
            threads.shutdownNow();
        }
    }

    /** Sends {@code size} random bytes while reading them back: a relay without back-pressure would stall. */
    private static byte[][] roundTrip(int port, int size, int seed) throws Exception {
        byte[] sent = new byte[size];
        new Random(seed).nextBytes(sent);
        byte[] received = new byte[size];
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            Thread writer = new Thread(() -> {
                try {
                    OutputStream out = s.getOutputStream();
                    for (int off = 0; off < size; off += 8192) {
                        out.write(sent, off, Math.min(8192, size - off));
                    }
                    out.flush();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            writer.start();
            new DataInputStream(s.getInputStream()).readFully(received);
            writer.join();
        }
        return new byte[][] {sent, received};
    }

    // Each echo connection ends on its own when its client closes; nothing waits for it.
    @SuppressWarnings("FutureReturnValueIgnored")
    private static Void echoForever(ServerSocket server, ExecutorService threads) throws Exception {
        while (!server.isClosed()) {
            Socket s = server.accept();
            threads.submit(() -> {
                try (s) {
                    InputStream in = s.getInputStream();
                    OutputStream out = s.getOutputStream();
                    in.transferTo(out);
                }
                return null;
            });
        }
        return null;
    }

    @ParameterizedTest(name = "stock={0}")
    @ValueSource(booleans = {true, false})
    void silentConnectionsCloseAfterTheIdleTimeoutAndActiveOnesStayOpen(boolean stock) throws Exception {
        DeadlineServer backend = DeadlineServer.start(new DeadlineServer.Config(
                Transport.preferred(), true, 1, 0, Duration.ZERO, Duration.ZERO, Duration.ZERO, 0));
        // Active connections send every 100 ms, far inside the 2 s idle timeout.
        IdleTimeoutProxy proxy = IdleTimeoutProxy.start(new IdleTimeoutProxy.Config(
                Transport.preferred(),
                stock,
                2,
                0,
                new InetSocketAddress(InetAddress.getLoopbackAddress(), backend.port()),
                Duration.ofSeconds(2)));
        LoadClient client = new LoadClient(new LoadClient.Config(
                Transport.preferred(),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), proxy.port()),
                100,
                100,
                false,
                1000,
                0,
                0,
                1));
        try {
            client.connect();
            client.startRequests();
            client.startMeasuring();
            awaitTrue(() -> proxy.metrics().idleCloses() >= 100, "100 idle closes");
            awaitTrue(() -> client.progress().silentClosed() == 100, "the client saw 100 closes");
            awaitTrue(() -> client.progress().ok() >= 1000, "1000 answers through the proxy");
            LoadClient.Result r = client.progress();
            assertEquals(0, r.connectFailures(), "connect failures");
            assertEquals(0, r.activeClosed(), "active connections closed");
            assertEquals(0, r.otherStatus() + r.unavailable(), "answers other than 200");
            assertEquals(100, proxy.metrics().idleCloses(), "idle closes: the silent ones only");
            assertEquals(0, proxy.metrics().earlyIdleCloses(), "idle closes before the timeout");
        } finally {
            client.close();
            proxy.close();
            backend.close();
        }
        assertTrue(client.isTerminated() && proxy.isTerminated() && backend.isTerminated(), "every loop terminated");
    }
}
