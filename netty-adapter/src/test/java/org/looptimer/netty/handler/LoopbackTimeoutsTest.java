package org.looptimer.netty.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.string.StringDecoder;
import io.netty.handler.codec.string.StringEncoder;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.looptimer.core.TimerHandle;
import org.looptimer.netty.ChannelTimers;
import org.looptimer.netty.TimerEventLoopGroup;

/**
 * Real TCP sockets on loopback, with NIO and with epoll (skipped where the kernel or the native
 * library is missing), on {@link TimerEventLoopGroup}s: echo traffic, idle timeouts and heartbeats.
 * Silent connections must be closed no earlier than their timeout and within a generous margin;
 * active ones must never be. Each transport's run takes about two seconds, after a warm-up round
 * trip that loads the cold code paths (a first write can stall a loop for a moment).
 */
class LoopbackTimeoutsTest {

    /**
     * The server's idle timeout for a silent client, and the heartbeat server's dead-peer limit.
     * Long enough that a loop starved of CPU for a moment on a loaded 2-core machine does not make
     * an active client look silent; short enough to keep the test to a few seconds.
     */
    private static final long TIMEOUT_MILLIS = 600;

    private static final long HEARTBEAT_MILLIS = 200;
    /** Generous: a shared 2-core machine. The measured lateness is printed for the report. */
    private static final long MARGIN_MILLIS = 2_000;
    /** How long the active clients keep talking: three timeouts. */
    private static final long ACTIVE_MILLIS = 3 * TIMEOUT_MILLIS;

    /**
     * Netty 4.2's first pooled direct-buffer chunk initializes JFR event classes, which can hold a
     * loop thread for hundreds of milliseconds on a loaded machine; pay that here, off the loops.
     */
    @BeforeAll
    static void initializeTheAllocator() {
        ByteBufAllocator.DEFAULT.directBuffer(64).release();
    }

    enum Transport {
        NIO(NioIoHandler::newFactory, NioServerSocketChannel.class, NioSocketChannel.class),
        EPOLL(EpollIoHandler::newFactory, EpollServerSocketChannel.class, EpollSocketChannel.class);

        // Holds a stateless method reference: immutable in fact.
        @SuppressWarnings("ImmutableEnumChecker")
        final Supplier<IoHandlerFactory> factory;

        final Class<? extends ServerChannel> serverChannel;
        final Class<? extends Channel> channel;

        Transport(
                Supplier<IoHandlerFactory> factory,
                Class<? extends ServerChannel> serverChannel,
                Class<? extends Channel> channel) {
            this.factory = factory;
            this.serverChannel = serverChannel;
            this.channel = channel;
        }
    }

    /** Per server connection: when it started and when, and why, the server closed it. */
    private static final class ServerSide extends ChannelInboundHandlerAdapter {
        final long startedAt = System.nanoTime();
        final AtomicLong lastReadAt = new AtomicLong(startedAt);
        volatile long closedAt;
        volatile String closedBy;
        final CountDownLatch closed = new CountDownLatch(1);

        // An echo: the client counts what comes back.
        @SuppressWarnings("FutureReturnValueIgnored")
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            lastReadAt.set(System.nanoTime());
            ctx.writeAndFlush(msg + "\n"); // echo the line; the frame decoder stripped its delimiter
        }

        // channelInactive records the close.
        @SuppressWarnings("FutureReturnValueIgnored")
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent e && e.state() == IdleState.READER_IDLE) {
                closedBy = "idle";
                ctx.close();
            } else if (evt instanceof HeartbeatTimeoutEvent) {
                closedBy = "heartbeat"; // HeartbeatHandler closes right after this event
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            closedAt = System.nanoTime();
            closed.countDown();
        }
    }

    /** A server; {@code timeoutHandler} makes the per-connection timeout handler. */
    private static Channel server(
            TimerEventLoopGroup group, Transport t, Supplier<ChannelHandler> timeoutHandler, List<ServerSide> sides)
            throws InterruptedException {
        return new ServerBootstrap()
                .group(group)
                .channel(t.serverChannel)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ServerSide side = new ServerSide();
                        synchronized (sides) {
                            sides.add(side);
                        }
                        ch.pipeline()
                                .addLast(
                                        new LineBasedFrameDecoder(64),
                                        new StringDecoder(StandardCharsets.US_ASCII),
                                        new StringEncoder(StandardCharsets.US_ASCII),
                                        timeoutHandler.get(),
                                        side);
                    }
                })
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .sync()
                .channel();
    }

    /** Lines a client received: echoes of its "hello"s, and everything else (pings). */
    private static final class Lines {
        final AtomicInteger hellos = new AtomicInteger();
        final AtomicInteger pings = new AtomicInteger();
    }

    /** A client counting the lines it receives; {@code extra} goes before the counter. */
    private static Channel client(
            TimerEventLoopGroup group, Transport t, Channel server, Lines received, ChannelHandler... extra)
            throws InterruptedException {
        return new Bootstrap()
                .group(group)
                .channel(t.channel)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline()
                                .addLast(
                                        new LineBasedFrameDecoder(64),
                                        new StringDecoder(StandardCharsets.US_ASCII),
                                        new StringEncoder(StandardCharsets.US_ASCII));
                        ch.pipeline().addLast(extra);
                        ch.pipeline().addLast(new SimpleChannelInboundHandler<String>() {
                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, String msg) {
                                (msg.equals("hello") ? received.hellos : received.pings).incrementAndGet();
                            }
                        });
                    }
                })
                .connect(server.localAddress())
                .sync()
                .channel();
    }

    // The clients count their sends and the lines echoed back.
    @SuppressWarnings("FutureReturnValueIgnored")
    @ParameterizedTest
    @EnumSource(Transport.class)
    void silentConnectionsAreClosedOnTimeAndActiveOnesNever(Transport t) throws Exception {
        if (t == Transport.EPOLL) {
            Assumptions.assumeTrue(Epoll.isAvailable(), () -> "epoll unavailable: " + Epoll.unavailabilityCause());
        }
        TimerEventLoopGroup serverGroup = new TimerEventLoopGroup(2, t.factory.get());
        TimerEventLoopGroup clientGroup = new TimerEventLoopGroup(1, t.factory.get());
        List<ServerSide> idleSides = new ArrayList<>();
        List<ServerSide> heartbeatSides = new ArrayList<>();
        List<Channel> toClose = new ArrayList<>();
        try {
            // Server A: IdleTimeoutHandler closes a connection after 300 ms without a read.
            Channel idleServer = server(
                    serverGroup,
                    t,
                    () -> new IdleTimeoutHandler(TIMEOUT_MILLIS, 0, 0, TimeUnit.MILLISECONDS),
                    idleSides);
            // Server B: HeartbeatHandler pings every 100 ms and closes after 3 silent intervals.
            Channel heartbeatServer = server(
                    serverGroup,
                    t,
                    () -> HeartbeatHandler.builder()
                            .interval(HEARTBEAT_MILLIS, TimeUnit.MILLISECONDS)
                            .closeAfterMissed((int) (TIMEOUT_MILLIS / HEARTBEAT_MILLIS))
                            .jitter(0.2)
                            .pingTemplate("PING\n")
                            .build(),
                    heartbeatSides);
            toClose.add(idleServer);
            toClose.add(heartbeatServer);
            warmUp(clientGroup, t, idleServer);
            warmUp(clientGroup, t, heartbeatServer);
            synchronized (idleSides) {
                idleSides.clear();
            }
            synchronized (heartbeatSides) {
                heartbeatSides.clear();
            }

            // Silent clients: one per server.
            Lines silentReceived = new Lines();
            Channel silentA = client(clientGroup, t, idleServer, new Lines());
            Channel silentB = client(clientGroup, t, heartbeatServer, silentReceived);
            toClose.add(silentA);
            toClose.add(silentB);

            // Echo clients: a message every 50 ms from a ChannelTimers ticker, for 1.2 s.
            Lines echoesA = new Lines();
            Lines echoesB = new Lines();
            Channel chattyA = client(clientGroup, t, idleServer, echoesA);
            Channel chattyB = client(clientGroup, t, heartbeatServer, echoesB);
            toClose.add(chattyA);
            toClose.add(chattyB);
            long sends = ACTIVE_MILLIS / 50;
            CountDownLatch talkedA = new CountDownLatch((int) sends);
            CountDownLatch talkedB = new CountDownLatch((int) sends);
            TimerHandle tickA = ChannelTimers.of(chattyA)
                    .scheduleTicker(
                            () -> {
                                chattyA.writeAndFlush("hello\n");
                                talkedA.countDown();
                            },
                            50,
                            TimeUnit.MILLISECONDS);
            TimerHandle tickB = ChannelTimers.of(chattyB)
                    .scheduleTicker(
                            () -> {
                                chattyB.writeAndFlush("hello\n");
                                talkedB.countDown();
                            },
                            50,
                            TimeUnit.MILLISECONDS);

            // A client that sends nothing itself but runs its own heartbeat: kept alive by pings.
            Lines keptAliveReceived = new Lines();
            Channel keptAlive = client(
                    clientGroup,
                    t,
                    heartbeatServer,
                    keptAliveReceived,
                    HeartbeatHandler.builder()
                            .interval(HEARTBEAT_MILLIS, TimeUnit.MILLISECONDS)
                            .jitter(0.2)
                            .closeAfterMissed((int) (TIMEOUT_MILLIS / HEARTBEAT_MILLIS))
                            .pingTemplate("PING\n")
                            .build());
            toClose.add(keptAlive);

            // The silent ones are closed by the servers.
            assertTrue(silentA.closeFuture().await(10, TimeUnit.SECONDS), "idle timeout never closed it");
            assertTrue(silentB.closeFuture().await(10, TimeUnit.SECONDS), "heartbeat never closed it");

            // The active clients talk on for four timeouts, by their own count of messages sent.
            assertTrue(talkedA.await(10, TimeUnit.SECONDS) && talkedB.await(10, TimeUnit.SECONDS));
            assertTrue(chattyA.isActive(), "an echo client was closed by the idle timeout");
            assertTrue(chattyB.isActive(), "an echo client was closed by the heartbeat");
            assertTrue(keptAlive.isActive(), "heartbeat pings did not keep the silent client alive");
            tickA.stop();
            tickB.stop();

            // Echo traffic flowed; pings flowed both ways.
            assertTrue(
                    echoesA.hellos.get() >= sends / 2 && echoesB.hellos.get() >= sends / 2,
                    "echoes " + echoesA.hellos + ", " + echoesB.hellos + " of " + sends);
            assertEquals(0, echoesA.pings.get(), "the idle-timeout server does not ping");
            assertTrue(silentReceived.pings.get() >= 1, "the heartbeat server pinged the silent client");
            assertTrue(keptAliveReceived.pings.get() >= 5, "pings flowed to the heartbeat client");

            // Timing of the closes, on the server side: never early, within the margin.
            ServerSide a = closedSide(idleSides);
            ServerSide b = closedSide(heartbeatSides);
            assertEquals("idle", a.closedBy);
            assertEquals("heartbeat", b.closedBy);
            for (ServerSide s : List.of(a, b)) {
                long silentFor = TimeUnit.NANOSECONDS.toMillis(s.closedAt - s.lastReadAt.get());
                System.out.printf(
                        "%s %s: silent connection closed after %d ms (timeout %d ms, late by %d ms)%n",
                        t, s.closedBy, silentFor, TIMEOUT_MILLIS, silentFor - TIMEOUT_MILLIS);
                assertTrue(silentFor >= TIMEOUT_MILLIS, "closed early: " + silentFor + " ms");
                assertTrue(silentFor <= TIMEOUT_MILLIS + MARGIN_MILLIS, "closed late: " + silentFor + " ms");
            }
            for (List<ServerSide> sides : List.of(idleSides, heartbeatSides)) {
                synchronized (sides) {
                    long closedCount =
                            sides.stream().filter(s -> s.closed.getCount() == 0).count();
                    assertEquals(1, closedCount, "only the silent connection may be closed");
                }
            }
        } finally {
            for (Channel c : toClose) {
                c.close().await(5, TimeUnit.SECONDS);
            }
            clientGroup.shutdownGracefully(0, 0, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
            serverGroup.shutdownGracefully(0, 0, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
        }
    }

    /** One echo round trip on a throw-away connection, so the timed part runs warm code. */
    private static void warmUp(TimerEventLoopGroup group, Transport t, Channel server) throws InterruptedException {
        Lines lines = new Lines();
        Channel c = client(group, t, server, lines);
        for (int i = 0; i < 20 && lines.hellos.get() == 0; i++) {
            c.writeAndFlush("hello\n").sync();
            Thread.sleep(10);
        }
        c.close().sync();
        assertTrue(lines.hellos.get() > 0, "no echo during warm-up");
    }

    private static ServerSide closedSide(List<ServerSide> sides) {
        synchronized (sides) {
            return sides.stream()
                    .filter(s -> s.closed.getCount() == 0)
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no server connection was closed"));
        }
    }
}
