package org.looptimer.netty.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalIoHandler;
import io.netty.channel.local.LocalServerChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Ticker;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.looptimer.netty.LoopTimers;
import org.looptimer.netty.TimerEventLoop;
import org.looptimer.netty.TimerEventLoopGroup;

/**
 * A live NIO channel on loopback moves between the two loops of a {@link TimerEventLoopGroup}
 * ({@code deregister}, then {@code register} on the other loop): the handlers' timers must leave
 * the old loop's heap with the channel, and their callbacks must run on the new loop's thread,
 * where the rest of the pipeline runs. Real time, short periods; every verdict is polled for with
 * a bound of several seconds, none is read after a sleep.
 */
class ChannelMoveTest {

    private static final long PERIOD_MILLIS = 50;
    private static final long BOUND_NANOS = TimeUnit.SECONDS.toNanos(10);

    private static TimerEventLoopGroup group;
    private static EventLoopGroup serverGroup;
    private static Channel server;
    private static TimerEventLoop oldLoop;
    private static TimerEventLoop newLoop;
    private static Thread oldThread;
    private static Thread newThread;

    @BeforeAll
    static void start() throws Exception {
        group = new TimerEventLoopGroup(2, NioIoHandler.newFactory());
        List<TimerEventLoop> loops = new ArrayList<>();
        for (EventExecutor e : group) {
            loops.add((TimerEventLoop) e);
        }
        oldLoop = loops.get(0);
        newLoop = loops.get(1);
        oldThread = oldLoop.submit(Thread::currentThread).get();
        newThread = newLoop.submit(Thread::currentThread).get();
        assertNotSame(oldThread, newThread);
        // A silent peer that discards what it gets, on loops of its own.
        serverGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        server = new ServerBootstrap()
                .group(serverGroup)
                .channel(NioServerSocketChannel.class)
                .childHandler(new Discard())
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .sync()
                .channel();
    }

    @ChannelHandler.Sharable
    private static final class Discard extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close().syncUninterruptibly();
        }
        if (serverGroup != null) {
            serverGroup.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (group != null) {
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** Records the thread of every idle event that reaches the handlers after the idle handler. */
    private static final class EventThreads extends ChannelInboundHandlerAdapter {
        final List<Thread> threads = new CopyOnWriteArrayList<>();

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent) {
                threads.add(Thread.currentThread());
            }
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Test
    void idleTimeoutHandlerFollowsTheChannelToItsNewLoop() throws Exception {
        List<Thread> callbackThreads = new CopyOnWriteArrayList<>();
        IdleTimeoutHandler idle = new IdleTimeoutHandler(PERIOD_MILLIS, 0, 0, TimeUnit.MILLISECONDS) {
            @Override
            protected void channelIdle(ChannelHandlerContext ctx, IdleStateEvent evt) throws Exception {
                callbackThreads.add(Thread.currentThread()); // the thread the timer callback runs on
                super.channelIdle(ctx, evt);
            }
        };
        EventThreads events = new EventThreads();
        moveAndCheck(List.of(callbackThreads, events.threads), idle, events);
    }

    @Test
    void heartbeatHandlerFollowsTheChannelToItsNewLoop() throws Exception {
        List<Thread> pingThreads = new CopyOnWriteArrayList<>();
        byte[] ping = "PING\n".getBytes(StandardCharsets.US_ASCII);
        HeartbeatHandler heartbeat = HeartbeatHandler.builder()
                .interval(PERIOD_MILLIS, TimeUnit.MILLISECONDS)
                .closeAfterMissed(0) // the peer is silent: pings only
                .pingFactory(() -> {
                    pingThreads.add(Thread.currentThread()); // called by the timer callback
                    return Unpooled.wrappedBuffer(ping);
                })
                .build();
        moveAndCheck(List.of(pingThreads), heartbeat);
    }

    /**
     * A loop whose ticker reads an hour ahead of the system ticker every other loop uses: a
     * reading taken on the old loop means nothing there.
     */
    private static final class HourAheadLoop extends DefaultEventLoop {
        private static final long HOUR = TimeUnit.HOURS.toNanos(1);
        /** Static: Netty's constructor reads the ticker before the subclass's fields are set. */
        private static final Ticker AHEAD = new Ticker() {
            @Override
            public long initialNanoTime() {
                return Ticker.systemTicker().initialNanoTime() - HOUR;
            }

            @Override
            public long nanoTime() {
                return Ticker.systemTicker().nanoTime() + HOUR;
            }

            @Override
            public void sleep(long delay, TimeUnit unit) throws InterruptedException {
                Ticker.systemTicker().sleep(delay, unit);
            }
        };

        @Override
        public Ticker ticker() {
            return AHEAD;
        }
    }

    @Test
    void onALoopWithAnotherTickerIdlenessCountsFromTheMoveNeverEarlier() throws Exception {
        TimerEventLoopGroup local = new TimerEventLoopGroup(1, LocalIoHandler.newFactory());
        HourAheadLoop ahead = new HourAheadLoop();
        Thread aheadThread = ahead.submit(Thread::currentThread).get();
        List<Thread> threads = new CopyOnWriteArrayList<>();
        List<Long> times = new CopyOnWriteArrayList<>();
        IdleTimeoutHandler idle = new IdleTimeoutHandler(PERIOD_MILLIS, 0, 0, TimeUnit.MILLISECONDS) {
            @Override
            protected void channelIdle(ChannelHandlerContext ctx, IdleStateEvent evt) throws Exception {
                times.add(System.nanoTime());
                threads.add(Thread.currentThread());
                super.channelIdle(ctx, evt);
            }
        };
        LocalAddress address = new LocalAddress("ahead" + System.nanoTime());
        Channel localServer = null;
        Channel ch = null;
        try {
            localServer = new ServerBootstrap()
                    .group(local)
                    .channel(LocalServerChannel.class)
                    .childHandler(new ChannelInboundHandlerAdapter())
                    .bind(address)
                    .sync()
                    .channel();
            ch = new Bootstrap()
                    .group(local)
                    .channel(LocalChannel.class)
                    .handler(idle)
                    .connect(address)
                    .sync()
                    .channel();
            await("an idle event on the old loop", () -> !times.isEmpty());
            ch.deregister().sync();
            int beforeMove = times.size();
            long registering = System.nanoTime();
            ahead.register(ch).sync();
            await("an idle event after the move", () -> times.size() > beforeMove);
            assertEquals(aheadThread, threads.get(beforeMove));
            // The old readings are an hour behind the new ticker: kept as they are, they would make
            // the channel look idle for an hour, and the event fire at once.
            long after = TimeUnit.NANOSECONDS.toMillis(times.get(beforeMove) - registering);
            assertTrue(after >= PERIOD_MILLIS, "an idle event " + after + " ms after the move");
        } finally {
            if (ch != null) {
                ch.close().sync();
            }
            if (localServer != null) {
                localServer.close().sync();
            }
            ahead.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
            local.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /**
     * Connects a client on the old loop with {@code handlers} (one timer among them), waits until
     * each of {@code observed} (threads the handlers recorded) has an entry from the old loop, moves
     * the channel, and checks that the timer left the old heap and arrived in the new one, and that
     * each list then gets entries from the new loop's thread only.
     */
    private static void moveAndCheck(List<List<Thread>> observed, ChannelHandler... handlers) throws Exception {
        long oldBefore = pending(oldLoop);
        long newBefore = pending(newLoop);
        Channel ch = new Bootstrap()
                .group(oldLoop)
                .channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel c) {
                        c.pipeline().addLast(handlers);
                    }
                })
                .connect(server.localAddress())
                .sync()
                .channel();
        try {
            await("the handler's timer pending in the old loop's heap", () -> pending(oldLoop) == oldBefore + 1);
            for (List<Thread> threads : observed) {
                await("a callback on the old loop", () -> !threads.isEmpty());
                assertEquals(oldThread, threads.get(0));
            }

            ch.deregister().sync();
            // The handlers saw channelUnregistered, on the old loop, before the promise completed:
            // their timers are stopped there by now, and what follows in each list was recorded
            // after the move began. (Polling would not do: a callback that re-arms its timer on the
            // old loop leaves the count down while it runs.)
            assertEquals(oldBefore, pending(oldLoop), "the old loop's heap still holds the handler's timer");
            int[] beforeMove = observed.stream().mapToInt(List::size).toArray();

            newLoop.register(ch).sync();
            assertTrue(ch.isActive());
            await("the handler's timer pending in the new loop's heap", () -> pending(newLoop) == newBefore + 1);
            for (int i = 0; i < observed.size(); i++) {
                List<Thread> threads = observed.get(i);
                int from = beforeMove[i];
                await("two callbacks after the move", () -> threads.size() >= from + 2);
                List<Thread> after = List.copyOf(threads.subList(from, threads.size()));
                for (Thread t : after) {
                    assertEquals(newThread, t, "after the move, one ran on " + t + ": " + after);
                }
            }
            assertEquals(oldBefore, pending(oldLoop), "a timer came back to the old loop");
        } finally {
            ch.close().sync();
        }
        await("the closed channel's timer gone from the new loop", () -> pending(newLoop) == newBefore);
    }

    private static long pending(TimerEventLoop loop) {
        return LoopTimers.of(loop).stats().pendingTimers();
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + BOUND_NANOS;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                fail("not within 10 s: " + what);
            }
            Thread.sleep(1);
        }
    }
}
