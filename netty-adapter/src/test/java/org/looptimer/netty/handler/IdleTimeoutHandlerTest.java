package org.looptimer.netty.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.looptimer.core.TimerHeap;

/**
 * {@link IdleTimeoutHandler} against Netty's {@link IdleStateHandler} in {@link EmbeddedChannel}
 * with fake time: every scenario runs on Netty's handler, on ours with the executor fallback, and
 * on ours with the heap path (a heap clocked by the same fake ticker); all three must produce the
 * same events at the same instants, and the expected events are also written out.
 */
class IdleTimeoutHandlerTest {

    /** Which handler runs a scenario. */
    enum Impl {
        NETTY,
        FALLBACK,
        HEAP
    }

    /** What a scenario does at a given millisecond, before time moves on. */
    enum Action {
        READ,
        WRITE,
        WRITE_UNFLUSHED,
        READ_WITHOUT_COMPLETE,
        READ_COMPLETE
    }

    /** A handler factory for (observeOutput, reader, writer, all) in milliseconds. */
    private static Function<FakeTimeChannel, ChannelHandler> handler(
            Impl impl, boolean observeOutput, long reader, long writer, long all) {
        return f -> switch (impl) {
            case NETTY -> new IdleStateHandler(observeOutput, reader, writer, all, TimeUnit.MILLISECONDS);
            case FALLBACK -> new IdleTimeoutHandler(observeOutput, reader, writer, all, TimeUnit.MILLISECONDS);
            case HEAP ->
                new IdleTimeoutHandler(f.heapScheduler(), observeOutput, reader, writer, all, TimeUnit.MILLISECONDS);
        };
    }

    /** Our handler's timers: into the fake-time heap for HEAP, the executor's own otherwise. */
    private static HandlerTimer.Scheduler scheduler(Impl impl, FakeTimeChannel f) {
        return impl == Impl.HEAP ? f.heapScheduler() : HandlerTimer.LOOP_TIMERS;
    }

    /** Records idle events as "time:EVENT" strings, e.g. "1000:FIRST_READER_IDLE". */
    private static final class Recorder extends ChannelInboundHandlerAdapter {
        final FakeTimeChannel f;
        final List<String> events = new ArrayList<>();

        Recorder(FakeTimeChannel f) {
            this.f = f;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent e) {
                events.add(f.nowMillis() + ":" + (e.isFirst() ? "FIRST_" : "") + e.state());
            }
            ctx.fireUserEventTriggered(evt);
        }
    }

    /**
     * Runs {@code script} (millisecond -> action) for {@code endMillis} and returns the events.
     * Also checks where our handler's timers went: one per enabled kind pending in the heap on the
     * heap path, none in a heap on the executor path.
     */
    // The script's writes drive the handler; the test checks the events recorded.
    @SuppressWarnings("FutureReturnValueIgnored")
    private static List<String> run(
            Impl impl,
            boolean observeOutput,
            long reader,
            long writer,
            long all,
            Map<Long, List<Action>> script,
            long endMillis) {
        FakeTimeChannel f = new FakeTimeChannel();
        Recorder recorder = new Recorder(f);
        ChannelHandler h = handler(impl, observeOutput, reader, writer, all).apply(f);
        EmbeddedChannel ch = f.open(h, recorder);
        int enabled = (reader > 0 ? 1 : 0) + (writer > 0 ? 1 : 0) + (all > 0 ? 1 : 0);
        if (impl == Impl.HEAP && enabled > 0) {
            assertEquals(enabled, f.heap.stats().pendingTimers(), "the heap path must arm its timers in the heap");
        } else if (impl == Impl.FALLBACK) {
            assertNull(f.heap, "no heap was given: the executor's scheduler runs the timers");
        }
        for (long t = 0; t <= endMillis; t++) {
            for (Action a : script.getOrDefault(t, List.of())) {
                switch (a) {
                    case READ -> ch.writeInbound("in");
                    case READ_WITHOUT_COMPLETE -> ch.pipeline().fireChannelRead("in");
                    case READ_COMPLETE -> ch.pipeline().fireChannelReadComplete();
                    case WRITE -> ch.writeAndFlush("out");
                    case WRITE_UNFLUSHED -> ch.write(Unpooled.wrappedBuffer(new byte[16]));
                }
            }
            if (t < endMillis) {
                f.advanceMillis(1);
            }
        }
        ch.finishAndReleaseAll();
        return recorder.events;
    }

    private static Map<Long, List<Action>> script(Object... timeActionPairs) {
        Map<Long, List<Action>> s = new TreeMap<>();
        for (int i = 0; i < timeActionPairs.length; i += 2) {
            long t = ((Number) timeActionPairs[i]).longValue();
            s.computeIfAbsent(t, k -> new ArrayList<>()).add((Action) timeActionPairs[i + 1]);
        }
        return s;
    }

    private static Map<Long, List<Action>> every(long from, long step, long to, Action a) {
        Map<Long, List<Action>> s = new TreeMap<>();
        for (long t = from; t <= to; t += step) {
            s.computeIfAbsent(t, k -> new ArrayList<>()).add(a);
        }
        return s;
    }

    /** Runs on all three implementations, asserts they agree and match {@code expected}. */
    private static void assertScenario(
            List<String> expected,
            boolean observeOutput,
            long reader,
            long writer,
            long all,
            Map<Long, List<Action>> script,
            long endMillis) {
        List<String> netty = run(Impl.NETTY, observeOutput, reader, writer, all, script, endMillis);
        assertEquals(expected, netty, "the scenario's expectation must match Netty's IdleStateHandler");
        assertEquals(
                netty, run(Impl.FALLBACK, observeOutput, reader, writer, all, script, endMillis), "executor fallback");
        assertEquals(netty, run(Impl.HEAP, observeOutput, reader, writer, all, script, endMillis), "heap path");
    }

    @Test
    void readerIdleFiresFirstThenSubsequentEvents() {
        assertScenario(
                List.of("100:FIRST_READER_IDLE", "200:READER_IDLE", "300:READER_IDLE"),
                false,
                100,
                0,
                0,
                script(),
                350);
    }

    @Test
    void readsPostponeReaderIdleAndStartANewFirstEvent() {
        // Reads at 50 and 120 push the deadline to 220; after the event at 220, a read at 250
        // makes the next event a FIRST one again, at 350.
        assertScenario(
                List.of("220:FIRST_READER_IDLE", "350:FIRST_READER_IDLE", "450:READER_IDLE"),
                false,
                100,
                0,
                0,
                script(50, Action.READ, 120, Action.READ, 250, Action.READ),
                460);
    }

    @Test
    void steadyReadsNeverLetTheReaderGoIdle() {
        assertScenario(List.of(), false, 100, 0, 0, every(0, 40, 1000, Action.READ), 1000);
    }

    @Test
    void aReadInProgressIsNotIdle() {
        // channelRead without channelReadComplete: the reader is busy, not idle, until it
        // completes at 400; idle again 100 ms later.
        assertScenario(
                List.of("500:FIRST_READER_IDLE"),
                false,
                100,
                0,
                0,
                script(50, Action.READ_WITHOUT_COMPLETE, 400, Action.READ_COMPLETE),
                550);
    }

    @Test
    void writerIdleFiresAndWritesPostponeIt() {
        assertScenario(
                List.of("100:FIRST_WRITER_IDLE", "200:WRITER_IDLE", "330:FIRST_WRITER_IDLE"),
                false,
                0,
                100,
                0,
                script(230, Action.WRITE),
                400);
    }

    @Test
    void readsDoNotAffectWriterIdle() {
        assertScenario(
                List.of("100:FIRST_WRITER_IDLE", "200:WRITER_IDLE"),
                false,
                0,
                100,
                0,
                every(0, 10, 250, Action.READ),
                250);
    }

    @Test
    void allIdleNeedsNeitherReadsNorWrites() {
        assertScenario(
                List.of("180:FIRST_ALL_IDLE", "330:FIRST_ALL_IDLE", "430:ALL_IDLE"),
                false,
                0,
                0,
                100,
                script(30, Action.WRITE, 80, Action.READ, 230, Action.WRITE),
                450);
    }

    @Test
    void allThreeKindsTogether() {
        // At 300 both are due; the writer's timer was armed first (at 150, the reader's at 200),
        // and equal deadlines run in arming order in Netty's scheduler and in the heap alike.
        assertScenario(
                List.of(
                        "100:FIRST_READER_IDLE",
                        "150:FIRST_WRITER_IDLE",
                        "200:READER_IDLE",
                        "250:FIRST_ALL_IDLE",
                        "300:WRITER_IDLE",
                        "300:READER_IDLE"),
                false,
                100,
                150,
                250,
                script(),
                320);
    }

    @Test
    void observeOutputSuppressesWriterIdleWhileTheOutputMoves() {
        // Unflushed writes never complete, so the writer looks idle; with observeOutput the event
        // after the first is suppressed while the outbound buffer changes between checks.
        Map<Long, List<Action>> s = script(0, Action.WRITE_UNFLUSHED, 150, Action.WRITE_UNFLUSHED);
        assertScenario(List.of("100:FIRST_WRITER_IDLE", "300:WRITER_IDLE"), true, 0, 100, 0, s, 350);
        assertScenario(
                List.of("100:FIRST_WRITER_IDLE", "200:WRITER_IDLE", "300:WRITER_IDLE"), false, 0, 100, 0, s, 350);
    }

    @Test
    void observeOutputAppliesToAllIdleToo() {
        Map<Long, List<Action>> s = script(0, Action.WRITE_UNFLUSHED, 150, Action.WRITE_UNFLUSHED);
        assertScenario(List.of("100:FIRST_ALL_IDLE", "300:ALL_IDLE"), true, 0, 0, 100, s, 350);
    }

    @Test
    void observeOutputCountsACompletedWriteAsProgress() {
        // The completed write at 150 re-arms the writer (FIRST at 250) through the normal path.
        assertScenario(
                List.of("100:FIRST_WRITER_IDLE", "250:FIRST_WRITER_IDLE", "350:WRITER_IDLE"),
                true,
                0,
                100,
                0,
                script(150, Action.WRITE),
                360);
    }

    @Test
    void zeroOrNegativeDisablesAKindAndTinyValuesBecomeOneMillisecond() {
        IdleTimeoutHandler h = new IdleTimeoutHandler(0, -5, 1, TimeUnit.NANOSECONDS);
        assertEquals(0, h.getReaderIdleTimeInMillis());
        assertEquals(0, h.getWriterIdleTimeInMillis());
        assertEquals(1, h.getAllIdleTimeInMillis());
        IdleTimeoutHandler seconds = new IdleTimeoutHandler(60, 30, 0);
        assertEquals(60_000, seconds.getReaderIdleTimeInMillis());
        assertEquals(30_000, seconds.getWriterIdleTimeInMillis());
        assertEquals(0, seconds.getAllIdleTimeInMillis());
        assertThrows(NullPointerException.class, () -> new IdleTimeoutHandler(1, 1, 1, null));
        assertScenario(List.of(), false, 0, 0, 0, script(), 200);
    }

    @ParameterizedTest
    @EnumSource(
            value = Impl.class,
            names = {"FALLBACK", "HEAP"})
    void removingTheHandlerStopsItsTimers(Impl impl) {
        FakeTimeChannel f = new FakeTimeChannel();
        Recorder recorder = new Recorder(f);
        ChannelHandler h = handler(impl, false, 100, 100, 100).apply(f);
        EmbeddedChannel ch = f.open(h, recorder);
        f.advanceMillis(50);
        ch.pipeline().remove(h);
        if (f.heap != null) {
            assertEquals(0, f.heap.stats().pendingTimers(), "removal must stop the heap timers");
        }
        f.advanceMillis(500);
        assertEquals(List.of(), recorder.events);
        ch.finishAndReleaseAll();
    }

    @ParameterizedTest
    @EnumSource(
            value = Impl.class,
            names = {"FALLBACK", "HEAP"})
    void closingTheChannelStopsItsTimers(Impl impl) {
        FakeTimeChannel f = new FakeTimeChannel();
        Recorder recorder = new Recorder(f);
        EmbeddedChannel ch = f.open(handler(impl, false, 100, 100, 100).apply(f), recorder);
        f.advanceMillis(50);
        ch.close().syncUninterruptibly();
        if (f.heap != null) {
            assertEquals(0, f.heap.stats().pendingTimers(), "channelInactive must stop the heap timers");
        }
        f.advanceMillis(500);
        assertEquals(List.of(), recorder.events);
    }

    @ParameterizedTest
    @EnumSource(
            value = Impl.class,
            names = {"FALLBACK", "HEAP"})
    void addedToAnActiveChannelItStartsAtOnce(Impl impl) {
        FakeTimeChannel f = new FakeTimeChannel();
        Recorder recorder = new Recorder(f);
        EmbeddedChannel ch = f.open(recorder);
        f.advanceMillis(1000);
        ch.pipeline().addFirst(handler(impl, false, 100, 0, 0).apply(f));
        f.advanceMillis(150);
        assertEquals(List.of("1100:FIRST_READER_IDLE"), recorder.events);
        ch.finishAndReleaseAll();
    }

    @ParameterizedTest
    @EnumSource(
            value = Impl.class,
            names = {"FALLBACK", "HEAP"})
    void onAnUnregisteredChannelItWaitsForActivation(Impl impl) {
        FakeTimeChannel f = new FakeTimeChannel();
        Recorder recorder = new Recorder(f);
        EmbeddedChannel ch = f.openUnregistered(handler(impl, false, 100, 0, 0).apply(f), recorder);
        f.ticker.advance(1, TimeUnit.SECONDS);
        ch.runPendingTasks();
        assertEquals(List.of(), recorder.events);
        assertNull(f.heap, "nothing may be armed before the channel is active");
        try {
            ch.register();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        f.advanceMillis(150);
        assertEquals(List.of("1100:FIRST_READER_IDLE"), recorder.events);
        ch.finishAndReleaseAll();
    }

    @Test
    void onTheHeapARereadDoesNotTouchTheHeapUntilTheTimerFires() {
        FakeTimeChannel f = new FakeTimeChannel();
        Recorder recorder = new Recorder(f);
        EmbeddedChannel ch = f.open(handler(Impl.HEAP, false, 100, 0, 0).apply(f), recorder);
        TimerHeap heap = f.heap;
        assertNotNull(heap);
        for (int i = 0; i < 1000; i++) { // 1000 reads, one per millisecond
            ch.writeInbound("in");
            f.advanceMillis(1);
        }
        // The timer fired once per 100 ms period, found a recent read and re-armed the same
        // handle for the remainder: ~10 firings, not one heap operation per read.
        long fired = heap.stats().timersFired();
        assertTrue(fired >= 9 && fired <= 11, "fired " + fired);
        assertEquals(1, heap.stats().pendingTimers());
        assertEquals(1, heap.stats().heapEntries(), "one entry, reused");
        assertEquals(List.of(), recorder.events);
        ch.finishAndReleaseAll();
    }

    @ParameterizedTest
    @EnumSource(
            value = Impl.class,
            names = {"FALLBACK", "HEAP"})
    void resetReadAndWriteTimeoutCountAsActivity(Impl impl) {
        FakeTimeChannel f = new FakeTimeChannel();
        Recorder recorder = new Recorder(f);
        IdleTimeoutHandler h =
                (IdleTimeoutHandler) handler(impl, false, 100, 100, 0).apply(f);
        EmbeddedChannel ch = f.open(h, recorder);
        f.advanceMillis(80);
        h.resetReadTimeout();
        h.resetWriteTimeout();
        f.advanceMillis(110);
        assertEquals(List.of("180:FIRST_READER_IDLE", "180:FIRST_WRITER_IDLE"), recorder.events);
        ch.finishAndReleaseAll();
    }

    @ParameterizedTest
    @EnumSource(
            value = Impl.class,
            names = {"FALLBACK", "HEAP"})
    void hooksCanReplaceTheEventAndConsumeIt(Impl impl) {
        FakeTimeChannel f = new FakeTimeChannel();
        List<String> seen = new ArrayList<>();
        IdleStateEvent custom = IdleStateEvent.READER_IDLE_STATE_EVENT;
        IdleTimeoutHandler h = new IdleTimeoutHandler(scheduler(impl, f), false, 100, 0, 0, TimeUnit.MILLISECONDS) {
            @Override
            protected IdleStateEvent newIdleStateEvent(IdleState state, boolean first) {
                seen.add("new:" + state + ":" + first);
                return custom;
            }

            // The test checks the close through isOpen().
            @SuppressWarnings("FutureReturnValueIgnored")
            @Override
            protected void channelIdle(ChannelHandlerContext ctx, IdleStateEvent evt) {
                seen.add("idle:" + (evt == custom));
                ctx.close();
            }
        };
        Recorder recorder = new Recorder(f);
        EmbeddedChannel ch = f.open(h, recorder);
        f.advanceMillis(300);
        assertEquals(List.of("new:READER_IDLE:true", "idle:true"), seen, "one event, then the channel closed");
        assertEquals(List.of(), recorder.events, "channelIdle consumed it");
        assertFalse(ch.isOpen());
    }

    @ParameterizedTest
    @EnumSource(
            value = Impl.class,
            names = {"FALLBACK", "HEAP"})
    void aThrowingHookReachesExceptionCaughtAndTheTimerGoesOn(Impl impl) {
        FakeTimeChannel f = new FakeTimeChannel();
        List<Throwable> caught = new ArrayList<>();
        IdleTimeoutHandler h = new IdleTimeoutHandler(scheduler(impl, f), false, 100, 0, 0, TimeUnit.MILLISECONDS) {
            @Override
            protected void channelIdle(ChannelHandlerContext ctx, IdleStateEvent evt) {
                throw new IllegalStateException("boom " + evt.isFirst());
            }
        };
        ChannelDuplexHandler catcher = new ChannelDuplexHandler() {
            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                caught.add(cause);
            }
        };
        EmbeddedChannel ch = f.open(h, catcher);
        f.advanceMillis(250);
        assertEquals(2, caught.size());
        assertEquals("boom true", caught.get(0).getMessage());
        assertEquals("boom false", caught.get(1).getMessage());
        ch.finishAndReleaseAll();
    }

    @Test
    void worksWithEmbeddedChannelsOwnFrozenClock() {
        // The stock EmbeddedChannel clock, frozen and advanced with advanceTimeBy: the fallback
        // path follows the executor's ticker, not System.nanoTime.
        List<Object> events = new ArrayList<>();
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.freezeTime();
        ch.pipeline()
                .addLast(new IdleTimeoutHandler(false, 0, 0, 10, TimeUnit.SECONDS), new ChannelInboundHandlerAdapter() {
                    @Override
                    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                        events.add(evt);
                    }
                });
        ch.advanceTimeBy(9, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertEquals(List.of(), events);
        ch.advanceTimeBy(1, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertEquals(1, events.size());
        assertSame(IdleStateEvent.FIRST_ALL_IDLE_STATE_EVENT, events.get(0));
        ch.finishAndReleaseAll();
    }
}
