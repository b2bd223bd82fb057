package org.looptimer.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalIoHandler;
import io.netty.channel.local.LocalServerChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.looptimer.core.TimerStats;

/**
 * Every transport on a {@link TimerEventLoopGroup}: channels register (the I/O handler is not
 * wrapped), echo over loopback, timers fire while the loop blocks in that transport's poll, and
 * Netty's own {@link IdleStateHandler} keeps its timers in the loop heap.
 */
class TransportTest {

    /** One transport: its handler factory, channel types, and where a server listens. */
    record Transport(
            String name,
            BooleanSupplier available,
            Supplier<IoHandlerFactory> factory,
            Class<? extends IoHandler> handlerType,
            Class<? extends ServerChannel> serverChannel,
            Class<? extends Channel> channel,
            Supplier<SocketAddress> address) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Transport> transports() {
        Supplier<SocketAddress> loopback = () -> new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        return Stream.of(
                new Transport(
                        "nio",
                        () -> true,
                        NioIoHandler::newFactory,
                        NioIoHandler.class,
                        NioServerSocketChannel.class,
                        NioSocketChannel.class,
                        loopback),
                new Transport(
                        "epoll",
                        Epoll::isAvailable,
                        EpollIoHandler::newFactory,
                        EpollIoHandler.class,
                        EpollServerSocketChannel.class,
                        EpollSocketChannel.class,
                        loopback),
                new Transport(
                        "io_uring",
                        IoUring::isAvailable,
                        IoUringIoHandler::newFactory,
                        IoUringIoHandler.class,
                        IoUringServerSocketChannel.class,
                        IoUringSocketChannel.class,
                        loopback),
                new Transport(
                        "local",
                        () -> true,
                        LocalIoHandler::newFactory,
                        LocalIoHandler.class,
                        LocalServerChannel.class,
                        LocalChannel.class,
                        () -> new LocalAddress("looptimer-" + System.nanoTime())));
    }

    private TimerEventLoopGroup group;

    @AfterEach
    void stop() {
        Loops.shutdown(group);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("transports")
    void echoOverLoopbackWithTimersInTheSameLoop(Transport t) throws Exception {
        assumeTrue(t.available().getAsBoolean(), t.name() + " is not available on this kernel");
        group = new TimerEventLoopGroup(2, t.factory().get());
        for (var executor : group) {
            TimerEventLoop loop = (TimerEventLoop) executor;
            assertTrue(
                    loop.isIoType(t.handlerType()),
                    "isIoType(" + t.handlerType().getSimpleName() + ")");
        }

        Channel server = new ServerBootstrap()
                .group(group)
                .channel(t.serverChannel())
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            // An echo: the client checks what comes back.
                            @SuppressWarnings("FutureReturnValueIgnored")
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                ctx.writeAndFlush(msg);
                            }
                        });
                    }
                })
                .bind(t.address().get())
                .sync()
                .channel();
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        Channel client = new Bootstrap()
                .group(group)
                .channel(t.channel())
                .handler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ByteBuf buf = (ByteBuf) msg;
                        received.add(buf.toString(StandardCharsets.US_ASCII));
                        buf.release();
                    }
                })
                .connect(server.localAddress())
                .sync()
                .channel();
        try {
            assertSame(TimerEventLoop.class, client.eventLoop().getClass());
            client.writeAndFlush(Unpooled.copiedBuffer("ping", StandardCharsets.US_ASCII))
                    .sync();
            StringBuilder echoed = new StringBuilder();
            while (echoed.length() < 4) {
                String part = received.poll(10, TimeUnit.SECONDS);
                assertTrue(part != null, "no echo within 10 s");
                echoed.append(part);
            }
            assertEquals("ping", echoed.toString());

            // A timer armed from another thread while the loop blocks in this transport's poll
            // wakes it; one armed on the loop bounds the poll's timeout.
            TimerEventLoop loop = (TimerEventLoop) client.eventLoop();
            Loops.awaitBlockedInPoll(loop);
            CountDownLatch foreign = new CountDownLatch(1);
            loop.timers().schedule(foreign::countDown, 20, TimeUnit.MILLISECONDS);
            assertTrue(foreign.await(10, TimeUnit.SECONDS), "foreign timer did not fire");
            CountDownLatch own = new CountDownLatch(1);
            loop.execute(() -> loop.timers().schedule(own::countDown, 20, TimeUnit.MILLISECONDS));
            assertTrue(own.await(10, TimeUnit.SECONDS), "loop's own timer did not fire");
        } finally {
            client.close().sync();
            server.close().sync();
        }
    }

    /**
     * A foreign timer armed while the loop goes back to sleep (between publishing its deadline and
     * entering this transport's poll) must still wake it: the loop sleeps toward a deadline a
     * minute away, so one lost wake-up stalls an iteration past its 5 s bound.
     */
    // A far timer for the loop to sleep toward; it dies with the group.
    @SuppressWarnings("FutureReturnValueIgnored")
    @ParameterizedTest(name = "{0}")
    @MethodSource("transports")
    void noWakeupIsLostWhileTheLoopGoesToSleep(Transport t) throws Exception {
        assumeTrue(t.available().getAsBoolean(), t.name() + " is not available on this kernel");
        group = new TimerEventLoopGroup(1, t.factory().get());
        TimerEventLoop loop = group.next();
        loop.schedule(() -> {}, 1, TimeUnit.MINUTES);
        for (int i = 0; i < 3_000; i++) {
            CountDownLatch ran = new CountDownLatch(1);
            loop.timers().schedule(ran::countDown, i % 3, TimeUnit.MICROSECONDS);
            assertTrue(ran.await(5, TimeUnit.SECONDS), "lost wake-up at iteration " + i);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("transports")
    void idleStateHandlerTimersLiveInTheLoopHeap(Transport t) throws Exception {
        assumeTrue(t.available().getAsBoolean(), t.name() + " is not available on this kernel");
        group = new TimerEventLoopGroup(1, t.factory().get());
        AtomicReference<IdleStateEvent> event = new AtomicReference<>();
        AtomicReference<TimerStats> statsAtEvent = new AtomicReference<>();
        AtomicLong firedBeforeActive = new AtomicLong(-1);
        CountDownLatch idle = new CountDownLatch(1);

        Channel server = new ServerBootstrap()
                .group(group)
                .channel(t.serverChannel())
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        firedBeforeActive.set(((TimerEventLoop) ch.eventLoop())
                                .timers()
                                .stats()
                                .timersFired());
                        ch.pipeline()
                                .addLast(
                                        new IdleStateHandler(0, 0, 50, TimeUnit.MILLISECONDS),
                                        new ChannelInboundHandlerAdapter() {
                                            @Override
                                            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                                                if (evt instanceof IdleStateEvent e && event.compareAndSet(null, e)) {
                                                    statsAtEvent.set(LoopTimers.of(ctx.executor())
                                                            .stats());
                                                    idle.countDown();
                                                }
                                            }
                                        });
                    }
                })
                .bind(t.address().get())
                .sync()
                .channel();
        Channel client = new Bootstrap()
                .group(group)
                .channel(t.channel())
                .handler(new ChannelInboundHandlerAdapter())
                .connect(server.localAddress())
                .sync()
                .channel();
        try {
            assertTrue(idle.await(10, TimeUnit.SECONDS), "no idle event within 10 s");
            assertEquals(IdleState.ALL_IDLE, event.get().state());
            assertTrue(event.get().isFirst());
            TimerStats stats = statsAtEvent.get();
            // IdleStateHandler re-arms before it fires the event: its next timeout is pending in
            // our heap, and the one that just fired was run by the heap.
            assertTrue(stats.pendingTimers() >= 1, stats.toString());
            assertTrue(stats.timersFired() > firedBeforeActive.get(), stats.toString());
            assertFalse(client.eventLoop().isShuttingDown());
        } finally {
            client.close().sync();
            server.close().sync();
        }
    }
}
