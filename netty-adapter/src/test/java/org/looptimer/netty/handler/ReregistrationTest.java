package org.looptimer.netty.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.timeout.IdleStateEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A channel deregistered and registered again, in {@link EmbeddedChannel} with fake time, on both
 * timer paths: while it is deregistered the handlers' timers are stopped (none left in the heap,
 * no event), and once it is registered again they run at the deadlines they had, the time that
 * remained, not a fresh period. {@link ChannelMoveTest} moves a real channel between two loops.
 */
class ReregistrationTest {

    enum Path {
        EXECUTOR,
        HEAP
    }

    private static HandlerTimer.Scheduler scheduler(Path path, FakeTimeChannel f) {
        return path == Path.HEAP ? f.heapScheduler() : HandlerTimer.LOOP_TIMERS;
    }

    /** Records "time:what" for idle events and for writes (pings). */
    private static final class Recorder extends ChannelOutboundHandlerAdapter {
        final FakeTimeChannel f;
        final List<String> seen = new ArrayList<>();
        final ChannelHandler events = new ChannelInboundHandlerAdapter() {
            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                if (evt instanceof IdleStateEvent e) {
                    seen.add(f.nowMillis() + ":" + (e.isFirst() ? "FIRST_" : "") + e.state());
                }
            }
        };

        Recorder(FakeTimeChannel f) {
            this.f = f;
        }

        // Passes the caller's promise on: the caller holds it.
        @SuppressWarnings("FutureReturnValueIgnored")
        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            seen.add(f.nowMillis() + ":" + msg);
            ctx.write(msg, promise);
        }
    }

    private static void deregister(FakeTimeChannel f) {
        f.channel.deregister().syncUninterruptibly();
        f.runDue();
        if (f.heap != null) {
            assertEquals(0, f.heap.stats().pendingTimers(), "a deregistered channel's timers stay in the heap");
        }
    }

    private static void register(FakeTimeChannel f) {
        try {
            f.channel.register();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        f.runDue();
    }

    @ParameterizedTest
    @EnumSource(Path.class)
    void idleTimersKeepTheirDeadlinesAcrossAReregistration(Path path) {
        FakeTimeChannel f = new FakeTimeChannel();
        Recorder r = new Recorder(f);
        EmbeddedChannel ch = f.open(
                r, new IdleTimeoutHandler(scheduler(path, f), false, 100, 150, 0, TimeUnit.MILLISECONDS), r.events);
        f.advanceMillis(30);
        ch.writeInbound("in"); // the reader is idle at 130, the writer at 150
        f.advanceMillis(20);
        deregister(f); // at 50
        f.advanceMillis(40);
        register(f); // at 90: the timers keep their deadlines, no fresh periods
        f.advanceMillis(250);
        assertEquals(
                List.of(
                        "130:FIRST_READER_IDLE",
                        "150:FIRST_WRITER_IDLE",
                        "230:READER_IDLE",
                        "300:WRITER_IDLE",
                        "330:READER_IDLE"),
                r.seen);
        ch.finishAndReleaseAll();
    }

    @ParameterizedTest
    @EnumSource(Path.class)
    void aDeadlinePassedWhileDeregisteredFiresOnRegistrationNotBefore(Path path) {
        FakeTimeChannel f = new FakeTimeChannel();
        Recorder r = new Recorder(f);
        EmbeddedChannel ch = f.open(
                r, new IdleTimeoutHandler(scheduler(path, f), false, 100, 0, 0, TimeUnit.MILLISECONDS), r.events);
        f.advanceMillis(50);
        deregister(f);
        f.advanceMillis(150); // 100 passes unseen: the timer is parked
        assertEquals(List.of(), r.seen);
        register(f); // at 200: idle for 200 ms, so the event fires now
        f.advanceMillis(100);
        assertEquals(List.of("200:FIRST_READER_IDLE", "300:READER_IDLE"), r.seen);
        ch.finishAndReleaseAll();
    }

    @ParameterizedTest
    @EnumSource(Path.class)
    void heartbeatKeepsItsDeadlineAcrossAReregistration(Path path) {
        FakeTimeChannel f = new FakeTimeChannel();
        Recorder r = new Recorder(f);
        HeartbeatHandler heartbeat = HeartbeatHandler.builder()
                .interval(100, TimeUnit.MILLISECONDS)
                .pingTemplate("PING")
                .closeAfterMissed(0)
                .scheduler(scheduler(path, f))
                .build();
        EmbeddedChannel ch = f.open(r, heartbeat);
        f.advanceMillis(150);
        deregister(f); // at 150, the next ping due at 200
        f.advanceMillis(20);
        register(f); // at 170
        f.advanceMillis(30);
        assertEquals(List.of("100:PING", "200:PING"), r.seen);
        deregister(f); // at 200, the next ping due at 300
        f.advanceMillis(160);
        register(f); // at 360: overdue, so at once
        f.advanceMillis(100);
        assertEquals(List.of("100:PING", "200:PING", "360:PING", "460:PING"), r.seen);
        ch.finishAndReleaseAll();
    }
}
