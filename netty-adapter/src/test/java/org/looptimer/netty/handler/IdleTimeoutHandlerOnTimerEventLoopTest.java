package org.looptimer.netty.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalIoHandler;
import io.netty.channel.local.LocalServerChannel;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.looptimer.core.TimerHandle;
import org.looptimer.netty.ChannelTimers;
import org.looptimer.netty.LoopTimers;
import org.looptimer.netty.TimerEventLoop;
import org.looptimer.netty.TimerEventLoopGroup;

/**
 * {@link IdleTimeoutHandler} next to Netty's {@link IdleStateHandler} on a real
 * {@link TimerEventLoopGroup} (local transport), in real time: both must fire the same sequence of
 * events, never early. Upper bounds are generous; ordering and "never early" are the verdicts.
 */
class IdleTimeoutHandlerOnTimerEventLoopTest {

    private static final long IDLE_MILLIS = 100;

    private static TimerEventLoopGroup group;

    @BeforeAll
    static void start() {
        group = new TimerEventLoopGroup(1, LocalIoHandler.newFactory());
    }

    @AfterAll
    static void stop() {
        group.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /**
     * Server-side recorder of idle events and their time since {@link #activeAt}, which
     * initChannel sets before the idle handler is added (and so before it starts its clock), and
     * of the pending timers in the loop's heap at each event.
     */
    private static final class Recorder extends ChannelInboundHandlerAdapter {
        final List<IdleStateEvent> events = new CopyOnWriteArrayList<>();
        final List<Long> elapsedNanos = new CopyOnWriteArrayList<>();
        final List<Long> pendingInHeap = new CopyOnWriteArrayList<>();
        final CountDownLatch three = new CountDownLatch(3);
        volatile long activeAt;

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent e) {
                events.add(e);
                elapsedNanos.add(System.nanoTime() - activeAt);
                pendingInHeap.add(LoopTimers.of(ctx.executor()).stats().pendingTimers());
                three.countDown();
            }
        }
    }

    private record Connection(Channel server, Channel client) {}

    /** A local server whose child runs {@code idle} then {@code recorder}, and a client connected to it. */
    private static Connection connect(String name, Supplier<ChannelHandler> idle, Recorder recorder)
            throws InterruptedException {
        LocalAddress address = new LocalAddress(name + System.nanoTime());
        Channel server = new ServerBootstrap()
                .group(group)
                .channel(LocalServerChannel.class)
                .childHandler(new ChannelInitializer<LocalChannel>() {
                    @Override
                    protected void initChannel(LocalChannel ch) {
                        recorder.activeAt = System.nanoTime();
                        ch.pipeline().addLast(idle.get(), recorder);
                    }
                })
                .bind(address)
                .sync()
                .channel();
        Channel client = new Bootstrap()
                .group(group)
                .channel(LocalChannel.class)
                .handler(new ChannelInboundHandlerAdapter())
                .connect(address)
                .sync()
                .channel();
        return new Connection(server, client);
    }

    /** Connects a silent client to a server whose child runs {@code idle} then a recorder. */
    private static Recorder runSilentClient(String name, Supplier<ChannelHandler> idle) throws Exception {
        Recorder recorder = new Recorder();
        Connection c = connect(name, idle, recorder);
        Channel client = c.client();
        Channel server = c.server();
        try {
            assertTrue(recorder.three.await(10, TimeUnit.SECONDS), "three idle events expected");
        } finally {
            client.close().sync();
            server.close().sync();
        }
        return recorder;
    }

    @Test
    void bothHandlersFireTheSameEventsNeverEarly() throws Exception {
        Recorder mine = runSilentClient("ours", () -> new IdleTimeoutHandler(IDLE_MILLIS, 0, 0, TimeUnit.MILLISECONDS));
        Recorder netty = runSilentClient("netty", () -> new IdleStateHandler(IDLE_MILLIS, 0, 0, TimeUnit.MILLISECONDS));

        // Ours re-arms before it fires the event: its next period is pending in the loop's heap.
        assertTrue(mine.pendingInHeap.stream().allMatch(n -> n >= 1), "not in the heap: " + mine.pendingInHeap);
        List<IdleStateEvent> expected = List.of(
                IdleStateEvent.FIRST_READER_IDLE_STATE_EVENT,
                IdleStateEvent.READER_IDLE_STATE_EVENT,
                IdleStateEvent.READER_IDLE_STATE_EVENT);
        assertEquals(expected, mine.events.subList(0, 3));
        assertEquals(expected, netty.events.subList(0, 3));
        for (int i = 0; i < 3; i++) {
            long min = TimeUnit.MILLISECONDS.toNanos(IDLE_MILLIS * (i + 1));
            assertTrue(mine.elapsedNanos.get(i) >= min, "event " + i + " early: " + mine.elapsedNanos.get(i));
            assertTrue(netty.elapsedNanos.get(i) >= min, "netty event " + i + " early: " + netty.elapsedNanos.get(i));
        }
    }

    // The test checks the idle events the sends cause, not the sends' futures.
    @SuppressWarnings("FutureReturnValueIgnored")
    @Test
    void trafficKeepsTheReaderBusyAndSilenceStartsAFreshFirstEvent() throws Exception {
        Recorder recorder = new Recorder();
        Connection c =
                connect("traffic", () -> new IdleTimeoutHandler(IDLE_MILLIS, 0, 0, TimeUnit.MILLISECONDS), recorder);
        Channel client = c.client();
        Channel server = c.server();
        try {
            // 10 messages 20 ms apart (a ChannelTimers ticker on the client), then silence.
            CountDownLatch sent = new CountDownLatch(10);
            TimerHandle[] ticker = new TimerHandle[1];
            long[] lastSendAt = new long[1];
            ticker[0] = ChannelTimers.of(client)
                    .scheduleTicker(
                            () -> {
                                if (sent.getCount() > 0) {
                                    client.writeAndFlush("x");
                                    lastSendAt[0] = System.nanoTime(); // read after the latch: ordered by it
                                    sent.countDown();
                                } else {
                                    ticker[0].stop();
                                }
                            },
                            20,
                            TimeUnit.MILLISECONDS);
            assertTrue(sent.await(10, TimeUnit.SECONDS));
            long lastSend = lastSendAt[0];
            assertTrue(recorder.three.await(10, TimeUnit.SECONDS));
            // 20 ms gaps never reach the 100 ms idle time, so the first event comes only after the
            // traffic stopped, and it is a FIRST one.
            assertEquals(IdleStateEvent.FIRST_READER_IDLE_STATE_EVENT, recorder.events.get(0));
            assertTrue(
                    recorder.activeAt + recorder.elapsedNanos.get(0) >= lastSend,
                    "an idle event while the client was still sending every 20 ms");
            assertTrue(recorder.pendingInHeap.stream().allMatch(n -> n >= 1), recorder.pendingInHeap.toString());
            TimerEventLoop loop = (TimerEventLoop) server.eventLoop();
            assertTrue(loop.timers().stats().timersFired() > 0);
        } finally {
            client.close().sync();
            server.close().sync();
        }
    }
}
