package org.looptimer.netty.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@link HeartbeatHandler} in {@link EmbeddedChannel} with fake time, on both timer paths. */
class HeartbeatHandlerTest {

    enum Path {
        FALLBACK,
        HEAP
    }

    /** Sits at the head side of the pipeline and records "time:message" for every write. */
    private static final class WriteRecorder extends ChannelOutboundHandlerAdapter {
        final FakeTimeChannel f;
        final List<String> writes = new ArrayList<>();

        WriteRecorder(FakeTimeChannel f) {
            this.f = f;
        }

        // Passes the caller's promise on: the caller holds it.
        @SuppressWarnings("FutureReturnValueIgnored")
        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            String text = msg instanceof ByteBuf b ? b.toString(StandardCharsets.US_ASCII) : String.valueOf(msg);
            writes.add(f.nowMillis() + ":" + text);
            ctx.write(msg, promise);
        }
    }

    /** Records user events, with whether the channel was still open when each arrived. */
    private static final class EventRecorder extends ChannelInboundHandlerAdapter {
        final FakeTimeChannel f;
        final List<String> events = new ArrayList<>();
        HeartbeatTimeoutEvent last;

        EventRecorder(FakeTimeChannel f) {
            this.f = f;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof HeartbeatTimeoutEvent e) {
                last = e;
                events.add(f.nowMillis() + ":timeout:" + (ctx.channel().isOpen() ? "open" : "closed"));
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }
    }

    private static final class Setup {
        final FakeTimeChannel f = new FakeTimeChannel();
        final WriteRecorder writes = new WriteRecorder(f);
        final EventRecorder events = new EventRecorder(f);
        HeartbeatHandler handler;
        EmbeddedChannel ch;

        Setup(Path path, HeartbeatHandler.Builder builder) {
            if (path == Path.HEAP) {
                builder.scheduler(f.heapScheduler());
            }
            handler = builder.build();
            ch = f.open(writes, handler, events);
            if (path == Path.HEAP) {
                assertEquals(1, f.heap.stats().pendingTimers(), "the heap path must arm its timer in the heap");
            } else {
                assertNull(f.heap, "no heap was given: the executor's scheduler runs the timer");
            }
        }

        // The tests check the writes recorded, not their futures.
        @SuppressWarnings("FutureReturnValueIgnored")
        void run(long millis, long readEvery, long flushEvery) {
            for (long t = 1; t <= millis; t++) {
                f.advanceMillis(1);
                if (readEvery > 0 && t % readEvery == 0 && ch.isOpen()) {
                    ch.writeInbound("data");
                }
                if (flushEvery > 0 && t % flushEvery == 0 && ch.isOpen()) {
                    ch.writeAndFlush("app");
                }
            }
        }
    }

    private static HeartbeatHandler.Builder pingEvery(long millis) {
        return HeartbeatHandler.builder()
                .interval(millis, TimeUnit.MILLISECONDS)
                .pingTemplate("PING")
                .closeAfterMissed(0);
    }

    @ParameterizedTest
    @EnumSource(Path.class)
    void pingsAfterEachIntervalWithoutAFlush(Path path) {
        Setup s = new Setup(path, pingEvery(100));
        s.run(350, 0, 0);
        assertEquals(List.of("100:PING", "200:PING", "300:PING"), s.writes.writes);
        assertTrue(s.ch.isOpen(), "closeAfterMissed(0) never closes");
        s.ch.finishAndReleaseAll();
    }

    // The test checks the writes recorded, not their futures.
    @SuppressWarnings("FutureReturnValueIgnored")
    @ParameterizedTest
    @EnumSource(Path.class)
    void flushesPostponeThePing(Path path) {
        Setup s = new Setup(path, pingEvery(100));
        s.run(60, 0, 0);
        s.ch.writeAndFlush("app"); // at 60: next ping at 160
        s.run(70, 0, 0);
        s.ch.write("unflushed"); // at 130: a write without a flush does not count
        s.run(60, 0, 0); // ping at 160
        s.ch.flush(); // at 190: next ping at 290
        s.run(120, 0, 0);
        assertEquals(List.of("60:app", "130:unflushed", "160:PING", "290:PING"), s.writes.writes);
        s.ch.finishAndReleaseAll();
    }

    @ParameterizedTest
    @EnumSource(Path.class)
    void slackKeepsPingsWithinTheIntervalAndClosesADeadPeerLateButNeverEarly(Path path) {
        Setup s =
                new Setup(path, pingEvery(100).slack(20, TimeUnit.MILLISECONDS).closeAfterMissed(5));
        s.run(1000, 0, 0);
        long last = 0;
        for (String w : s.writes.writes) {
            long at = Long.parseLong(w.substring(0, w.indexOf(':')));
            assertTrue(
                    at - last > 80 && at - last <= 100,
                    "a ping within (interval - slack, interval]: " + s.writes.writes);
            last = at;
        }
        assertEquals(1, s.events.events.size(), s.events.events.toString());
        long closedAt = Long.parseLong(
                s.events.events.get(0).substring(0, s.events.events.get(0).indexOf(':')));
        assertTrue(closedAt >= 500 && closedAt <= 520, "closed at " + closedAt + ", due at 500 with 20 ms slack");
        s.ch.finishAndReleaseAll();
    }

    @ParameterizedTest
    @EnumSource(Path.class)
    void aChattyApplicationNeverPings(Path path) {
        Setup s = new Setup(path, pingEvery(100));
        s.run(1000, 0, 90);
        assertTrue(s.writes.writes.stream().noneMatch(w -> w.endsWith("PING")), s.writes.writes.toString());
        s.ch.finishAndReleaseAll();
    }

    @ParameterizedTest
    @EnumSource(Path.class)
    void aSilentPeerIsClosedAfterTheMissedIntervalsWithAnEventFirst(Path path) {
        Setup s = new Setup(path, pingEvery(100).closeAfterMissed(3));
        s.run(299, 0, 0);
        assertTrue(s.ch.isOpen());
        s.run(1, 0, 0);
        assertFalse(s.ch.isOpen(), "closed at 3 x 100 ms without inbound data");
        assertEquals(List.of("300:timeout:open"), s.events.events, "the event comes before the close");
        assertEquals(300, s.events.last.inboundIdleMillis());
        assertEquals(3, s.events.last.missedIntervals());
        assertEquals(List.of("100:PING", "200:PING"), s.writes.writes, "no ping on the way out");
        s.run(500, 0, 0);
        assertEquals(1, s.events.events.size(), "one event only");
    }

    @ParameterizedTest
    @EnumSource(Path.class)
    void inboundDataKeepsTheChannelOpenButDoesNotReplacePings(Path path) {
        Setup s = new Setup(path, pingEvery(100).closeAfterMissed(2));
        s.run(1000, 150, 0);
        assertTrue(s.ch.isOpen());
        assertEquals(List.of(), s.events.events);
        assertEquals(10, s.writes.writes.size(), "reads are not writes: still a ping every 100 ms");
        // Then the peer goes silent: closed 200 ms after its last message (at 900).
        s.run(100, 0, 0);
        assertFalse(s.ch.isOpen());
        assertEquals(List.of("1100:timeout:open"), s.events.events);
    }

    @ParameterizedTest
    @EnumSource(Path.class)
    void aReadInProgressIsNotSilence(Path path) {
        Setup s = new Setup(path, pingEvery(1000).closeAfterMissed(1));
        s.run(500, 0, 0);
        s.ch.pipeline().fireChannelRead("partial"); // no readComplete until 1800
        s.run(1300, 0, 0);
        assertTrue(s.ch.isOpen(), "a read in progress is activity");
        s.ch.pipeline().fireChannelReadComplete();
        s.run(999, 0, 0);
        assertTrue(s.ch.isOpen());
        s.run(1, 0, 0);
        assertFalse(s.ch.isOpen(), "closed one interval after the read completed");
    }

    @ParameterizedTest
    @EnumSource(Path.class)
    void jitterDrawsEachWaitFromTheIntervalDownward(Path path) {
        double[] draws = {0.0, 0.99, 0.5};
        AtomicInteger next = new AtomicInteger();
        Setup s = new Setup(
                path, pingEvery(100).jitter(0.2).jitterSource(() -> draws[next.getAndIncrement() % draws.length]));
        s.run(300, 0, 0);
        // waits: 100 ms (draw 0), 80.2 ms (draw 0.99 -> fires at the 181st millisecond),
        // 90 ms (draw 0.5)
        assertEquals(List.of("100:PING", "181:PING", "271:PING"), s.writes.writes);
        s.ch.finishAndReleaseAll();
    }

    @Test
    void realJitterSpreadsConnectionsThatStartTogether() {
        Set<String> firstPings = new HashSet<>();
        for (int i = 0; i < 40; i++) {
            Setup s = new Setup(Path.FALLBACK, pingEvery(1000).jitter(0.5));
            s.run(1000, 0, 0);
            assertEquals(1, s.writes.writes.size(), "one ping within the interval: " + s.writes.writes);
            String first = s.writes.writes.get(0);
            long at = Long.parseLong(first.substring(0, first.indexOf(':')));
            assertTrue(at > 500 && at <= 1000, "a jittered wait stays in (interval/2, interval]: " + at);
            firstPings.add(first);
            s.ch.finishAndReleaseAll();
        }
        assertTrue(firstPings.size() > 5, "40 connections must not ping in lock-step: " + firstPings);
    }

    @ParameterizedTest
    @EnumSource(Path.class)
    void aByteBufTemplateIsSentAsRetainedDuplicatesAndNeverConsumed(Path path) {
        ByteBuf template = Unpooled.copiedBuffer("PING", StandardCharsets.US_ASCII);
        Setup s = new Setup(
                path,
                HeartbeatHandler.builder()
                        .interval(100, TimeUnit.MILLISECONDS)
                        .closeAfterMissed(0)
                        .pingTemplate(template));
        s.run(300, 0, 0);
        int pings = 0;
        for (Object out; (out = s.ch.readOutbound()) != null; pings++) {
            ByteBuf b = (ByteBuf) out;
            assertEquals("PING", b.toString(StandardCharsets.US_ASCII));
            b.release();
        }
        assertEquals(3, pings);
        assertEquals(1, template.refCnt(), "every ping's reference was released by its consumer");
        assertEquals(4, template.readableBytes(), "the template's indexes are untouched");
        s.ch.finishAndReleaseAll();
        template.release();
    }

    @ParameterizedTest
    @EnumSource(Path.class)
    void aFactoryMakesAFreshPingEachTime(Path path) {
        AtomicInteger n = new AtomicInteger();
        Setup s = new Setup(
                path,
                HeartbeatHandler.builder()
                        .interval(100, TimeUnit.MILLISECONDS)
                        .closeAfterMissed(0)
                        .pingFactory(() -> "PING" + n.incrementAndGet()));
        s.run(200, 0, 0);
        assertEquals(List.of("100:PING1", "200:PING2"), s.writes.writes);
        s.ch.finishAndReleaseAll();
    }

    @ParameterizedTest
    @EnumSource(Path.class)
    void removalOrCloseStopsTheTimer(Path path) {
        Setup s = new Setup(path, pingEvery(100).closeAfterMissed(2));
        s.run(50, 0, 0);
        s.ch.pipeline().remove(s.handler);
        if (s.f.heap != null) {
            assertEquals(0, s.f.heap.stats().pendingTimers());
        }
        s.run(500, 0, 0);
        assertEquals(List.of(), s.writes.writes);
        assertTrue(s.ch.isOpen());

        Setup c = new Setup(path, pingEvery(100).closeAfterMissed(2));
        c.ch.close().syncUninterruptibly();
        if (c.f.heap != null) {
            assertEquals(0, c.f.heap.stats().pendingTimers());
        }
        c.run(500, 0, 0);
        assertEquals(List.of(), c.writes.writes);
        assertEquals(List.of(), c.events.events);
    }

    @Test
    void oneHeapTimerServesPingAndDeadPeerDetection() {
        Setup s = new Setup(Path.HEAP, pingEvery(100).closeAfterMissed(5));
        assertEquals(1, s.f.heap.stats().pendingTimers());
        s.run(450, 0, 0);
        assertEquals(1, s.f.heap.stats().pendingTimers());
        assertEquals(1, s.f.heap.stats().heapEntries());
        s.ch.finishAndReleaseAll();
    }

    @Test
    void theBuilderRejectsBadConfiguration() {
        HeartbeatHandler.Builder b = HeartbeatHandler.builder();
        assertThrows(IllegalArgumentException.class, () -> b.interval(0, TimeUnit.SECONDS));
        assertThrows(IllegalArgumentException.class, () -> b.interval(-1, TimeUnit.SECONDS));
        assertThrows(NullPointerException.class, () -> b.interval(1, null));
        assertThrows(IllegalArgumentException.class, () -> b.jitter(1.0));
        assertThrows(IllegalArgumentException.class, () -> b.jitter(-0.1));
        assertThrows(IllegalArgumentException.class, () -> b.jitter(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> b.closeAfterMissed(-1));
        assertThrows(NullPointerException.class, () -> b.pingFactory(null));
        assertThrows(NullPointerException.class, () -> b.pingTemplate(null));
        assertThrows(IllegalStateException.class, b::build, "no interval");
        b.interval(1, TimeUnit.SECONDS);
        assertThrows(IllegalStateException.class, b::build, "no ping");
        b.pingTemplate("PING").closeAfterMissed(4);
        HeartbeatHandler h = b.build();
        assertEquals(TimeUnit.SECONDS.toNanos(1), h.intervalNanos());
        assertEquals(TimeUnit.SECONDS.toNanos(4), h.inboundTimeoutNanos());
        Iterator<HeartbeatHandler> two = List.of(b.build(), b.build()).iterator();
        assertFalse(two.next() == two.next(), "one handler per channel");
    }
}
