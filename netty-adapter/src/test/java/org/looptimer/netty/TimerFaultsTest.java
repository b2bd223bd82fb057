package org.looptimer.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.lang.ref.WeakReference;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.looptimer.core.TimerHandle;
import org.looptimer.core.Timers;

/** Faults on a real loop: a million timers at one instant, shutdown with a million pending, throwing callbacks. */
class TimerFaultsTest {

    private static final int MILLION = 1_000_000;

    private TimerEventLoopGroup group;
    private TimerEventLoopGroup clients;

    @AfterEach
    void stop() {
        Loops.shutdown(group);
        Loops.shutdown(clients);
    }

    @Test
    void aMillionTimersDueAtOneInstantAllRunAndEchoRoundTripsAreServedBetweenBatches() throws Exception {
        group = new TimerEventLoopGroup(1, NioIoHandler.newFactory());
        clients = new TimerEventLoopGroup(1, NioIoHandler.newFactory());
        TimerEventLoop loop = group.next();
        AtomicInteger fired = new AtomicInteger();
        AtomicInteger echoesDuringBurst = new AtomicInteger();
        AtomicBoolean done = new AtomicBoolean();

        Channel server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        int f = fired.get();
                        if (f > 0 && f < MILLION) {
                            echoesDuringBurst.incrementAndGet();
                        }
                        var unused = ctx.writeAndFlush(msg); // a lost echo fails the count, not this
                    }
                })
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .sync()
                .channel();
        Channel client = new Bootstrap()
                .group(clients)
                .channel(NioSocketChannel.class)
                .handler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ReferenceCountUtil.release(msg);
                        if (!done.get()) {
                            // ping-pong: the next one when the echo is back
                            var unused = ctx.writeAndFlush(ping());
                        }
                    }
                })
                .connect(server.localAddress())
                .sync()
                .channel();
        client.writeAndFlush(ping()).sync();

        Runnable count = fired::incrementAndGet;
        loop.submit(() -> {
                    long at = loop.ticker().nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
                    Timers timers = loop.timers();
                    for (int i = 0; i < MILLION; i++) {
                        timers.scheduleAt(count, at);
                    }
                })
                .sync();

        Loops.await("a million timers ran", () -> fired.get() == MILLION);
        done.set(true);
        assertTrue(echoesDuringBurst.get() > 0, "no echo was served while the burst ran");
        assertEquals(MILLION, loop.timers().stats().timersFired());
        client.close().sync();
        server.close().sync();
    }

    @Test
    void shutdownWithAMillionPendingStopsAllCancelsFuturesReleasesMemoryAndRunsNothing() throws Exception {
        group = new TimerEventLoopGroup(1, NioIoHandler.newFactory());
        TimerEventLoop loop = group.next();
        AtomicInteger ran = new AtomicInteger();
        Runnable task = ran::incrementAndGet;
        List<ScheduledFuture<?>> futures = new ArrayList<>();
        List<WeakReference<TimerHandle>> someHandles = new ArrayList<>();
        loop.submit(() -> {
                    Timers timers = loop.timers();
                    for (int i = 0; i < MILLION; i++) {
                        TimerHandle h = timers.schedule(task, 3600 + i % 3600, TimeUnit.SECONDS);
                        if (i % 100_000 == 0) {
                            someHandles.add(new WeakReference<>(h));
                        }
                    }
                    for (int i = 0; i < 1000; i++) {
                        futures.add(loop.schedule(task, 1, TimeUnit.HOURS));
                    }
                })
                .sync();
        assertEquals(MILLION + 1000, loop.timers().stats().pendingTimers());

        assertTrue(group.shutdownGracefully(0, 5, TimeUnit.SECONDS).await(30, TimeUnit.SECONDS));

        assertEquals(0, loop.timers().stats().pendingTimers());
        assertEquals(0, loop.timers().stats().heapEntries());
        assertTrue(
                loop.timers().stats().heapCapacity() < 1024,
                "the arrays were let go: " + loop.timers().stats());
        for (ScheduledFuture<?> f : futures) {
            assertTrue(f.isCancelled());
        }
        Loops.await("the heap holds none of its timers", () -> {
            System.gc();
            return someHandles.stream().allMatch(r -> r.get() == null);
        });
        RejectedExecutionException e = assertThrows(
                RejectedExecutionException.class, () -> loop.timers().schedule(task, 1, TimeUnit.SECONDS));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertThrows(RejectedExecutionException.class, () -> loop.schedule(task, 1, TimeUnit.SECONDS));
        assertEquals(0, ran.get(), "nothing ran, before or after termination");
    }

    @Test
    void aThrowingCallbackIsCountedTheLoopSurvivesAndATickerKeepsTicking() throws Exception {
        group = new TimerEventLoopGroup(1, NioIoHandler.newFactory());
        TimerEventLoop loop = group.next();
        AtomicInteger ticks = new AtomicInteger();
        AtomicInteger others = new AtomicInteger();
        TimerHandle ticker = loop.timers()
                .scheduleTicker(
                        () -> {
                            ticks.incrementAndGet();
                            throw new IllegalStateException("expected by the test: a ticker that always throws");
                        },
                        1,
                        TimeUnit.MILLISECONDS);
        for (int i = 0; i < 10; i++) {
            loop.timers().schedule(others::incrementAndGet, i, TimeUnit.MILLISECONDS);
        }

        Loops.await("the ticker ticked on after throwing", () -> ticks.get() >= 5);
        Loops.await("the other timers ran", () -> others.get() == 10);
        assertTrue(
                loop.timers().stats().callbackFailures() >= 5,
                loop.timers().stats().toString());
        assertTrue(ticker.isPending());
        assertEquals(42, loop.submit(() -> 42).get(10, TimeUnit.SECONDS), "the loop still runs tasks");
        assertTrue(ticker.stop());
        assertFalse(ticker.isPending());
    }

    private static ByteBuf ping() {
        return Unpooled.wrappedBuffer(new byte[] {1});
    }
}
