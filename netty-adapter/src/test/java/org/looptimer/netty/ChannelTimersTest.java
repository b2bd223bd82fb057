package org.looptimer.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.looptimer.core.TimerHandle;

class ChannelTimersTest {

    /** The foreign-loop path: EmbeddedChannel's loop has no heap, time is a MockTicker. */
    @Nested
    class OnAStockLoopWithFakeTime {
        final MockTicker ticker = Ticker.newMockTicker();
        final EmbeddedChannel ch = EmbeddedChannel.builder().ticker(ticker).build();
        final ChannelTimers timers = ChannelTimers.of(ch);
        final List<String> ran = new ArrayList<>();

        void advance(long millis) {
            for (long i = 0; i < millis; i++) {
                ticker.advance(1, TimeUnit.MILLISECONDS);
                ch.runPendingTasks();
            }
        }

        long nowMillis() {
            return TimeUnit.NANOSECONDS.toMillis(ticker.nanoTime());
        }

        Runnable record(String name) {
            return () -> ran.add(nowMillis() + ":" + name);
        }

        @Test
        void oneInstancePerChannel() {
            assertSame(timers, ChannelTimers.of(ch));
            assertNotSame(timers, ChannelTimers.of(new EmbeddedChannel()));
            assertThrows(NullPointerException.class, () -> ChannelTimers.of(null));
        }

        @Test
        void aOneShotRunsOnceAfterItsDelay() {
            TimerHandle t = timers.schedule(record("a"), 100, TimeUnit.MILLISECONDS);
            assertTrue(t.isPending());
            assertFalse(t.isPeriodic());
            assertEquals(TimeUnit.MILLISECONDS.toNanos(100), t.deadlineNanos(), "ticker domain");
            advance(99);
            assertEquals(List.of(), ran);
            advance(300);
            assertEquals(List.of("100:a"), ran);
            assertFalse(t.isPending());
            assertFalse(t.stop(), "nothing left to prevent");
            assertEquals(0, Internals.tracked(timers), "a one-shot that ran leaves the channel's list");
        }

        @Test
        void aTickerTicksAndSkipsTheTicksItMissed() {
            TimerHandle t = timers.scheduleTicker(record("tick"), 100, TimeUnit.MILLISECONDS);
            assertTrue(t.isPeriodic());
            advance(250);
            assertEquals(List.of("100:tick", "200:tick"), ran);
            ticker.advance(330, TimeUnit.MILLISECONDS); // 580: the ticks at 300, 400, 500 are missed
            ch.runPendingTasks();
            assertEquals(List.of("100:tick", "200:tick", "580:tick"), ran, "one late tick, no burst");
            assertEquals(TimeUnit.MILLISECONDS.toNanos(600), t.deadlineNanos(), "back on the period grid");
            advance(20);
            assertEquals("600:tick", ran.get(3));
            assertTrue(t.stop());
            advance(500);
            assertEquals(4, ran.size());
            assertEquals(0, Internals.tracked(timers));
        }

        @Test
        void stopIsTrueOnlyWhenItPreventedARun() {
            TimerHandle t = timers.schedule(record("a"), 100, TimeUnit.MILLISECONDS);
            assertTrue(t.stop());
            assertFalse(t.stop());
            assertFalse(t.isPending());
            advance(200);
            assertEquals(List.of(), ran);
            assertEquals(0, Internals.tracked(timers));
        }

        @Test
        void resetRearmsPendingFiredAndStoppedTimers() {
            TimerHandle t = timers.schedule(record("a"), 100, TimeUnit.MILLISECONDS);
            advance(50);
            assertTrue(t.reset(100, TimeUnit.MILLISECONDS), "was pending");
            advance(99);
            assertEquals(List.of(), ran, "the first arming must not run");
            advance(1);
            assertEquals(List.of("150:a"), ran);
            assertFalse(t.reset(10, TimeUnit.MILLISECONDS), "had run");
            assertEquals(1, Internals.tracked(timers), "re-armed: tracked again");
            advance(10);
            assertEquals(List.of("150:a", "160:a"), ran);
            t.reset(10, TimeUnit.MILLISECONDS);
            t.stop();
            assertFalse(t.reset(20, TimeUnit.MILLISECONDS), "was stopped");
            advance(20);
            assertEquals(List.of("150:a", "160:a", "180:a"), ran);
        }

        @Test
        void resettingATickerChangesItsPeriod() {
            TimerHandle t = timers.scheduleTicker(record("t"), 100, TimeUnit.MILLISECONDS);
            advance(100);
            assertTrue(t.reset(30, TimeUnit.MILLISECONDS));
            advance(100);
            assertEquals(List.of("100:t", "130:t", "160:t", "190:t"), ran);
            assertThrows(IllegalArgumentException.class, () -> t.reset(0, TimeUnit.MILLISECONDS));
        }

        @Test
        void aTaskMayResetItsOwnTimer() {
            AtomicInteger runs = new AtomicInteger();
            TimerHandle[] self = new TimerHandle[1];
            self[0] = timers.schedule(
                    () -> {
                        if (runs.incrementAndGet() < 3) {
                            self[0].reset(10, TimeUnit.MILLISECONDS);
                        }
                    },
                    10,
                    TimeUnit.MILLISECONDS);
            advance(100);
            assertEquals(3, runs.get());
            assertEquals(0, Internals.tracked(timers));
        }

        @Test
        void closingTheChannelStopsEveryTimerAndNoneRunsAgain() {
            List<TimerHandle> handles = List.of(
                    timers.schedule(record("a"), 100, TimeUnit.MILLISECONDS),
                    timers.schedule(record("b"), 1, TimeUnit.HOURS),
                    timers.scheduleTicker(record("t1"), 10, TimeUnit.MILLISECONDS),
                    timers.scheduleTicker(record("t2"), 50, TimeUnit.MILLISECONDS));
            advance(20);
            assertEquals(List.of("10:t1", "20:t1"), ran);
            assertEquals(4, Internals.tracked(timers));
            ch.close().syncUninterruptibly();
            for (TimerHandle h : handles) {
                assertFalse(h.isPending(), h.toString());
                assertFalse(h.stop(), "the close already stopped it");
                assertFalse(h.reset(5, TimeUnit.MILLISECONDS), "a dead channel's timer stays dead");
            }
            assertEquals(0, Internals.tracked(timers));
            advance(500);
            assertEquals(List.of("10:t1", "20:t1"), ran, "nothing runs after the close");
        }

        // The timer closes and moves on; the test checks the close through the other timers.
        @SuppressWarnings("FutureReturnValueIgnored")
        @Test
        void aTimerThatClosesTheChannelStopsTheOthersDueAtTheSameInstant() {
            // Through the pipeline, as a handler would: EmbeddedChannel.close() itself first runs
            // every pending task, which would run the others before the close.
            timers.schedule(() -> ch.pipeline().close(), 100, TimeUnit.MILLISECONDS);
            timers.schedule(record("same-instant"), 100, TimeUnit.MILLISECONDS);
            timers.scheduleTicker(record("ticker"), 100, TimeUnit.MILLISECONDS);
            advance(300);
            assertEquals(List.of(), ran);
        }

        @Test
        void onAClosedChannelSchedulingReturnsAnInertHandle() {
            ch.close().syncUninterruptibly();
            TimerHandle t = timers.schedule(record("a"), 0, TimeUnit.MILLISECONDS);
            TimerHandle k = ChannelTimers.of(ch).scheduleTicker(record("k"), 1, TimeUnit.MILLISECONDS);
            assertFalse(t.isPending());
            assertFalse(k.isPending());
            assertTrue(k.isPeriodic());
            assertFalse(t.stop());
            assertFalse(t.reset(1, TimeUnit.MILLISECONDS));
            assertEquals(Long.MAX_VALUE, t.deadlineNanos());
            advance(50);
            assertEquals(List.of(), ran);
            EmbeddedChannel neverOpen = new EmbeddedChannel();
            neverOpen.close().syncUninterruptibly();
            assertFalse(ChannelTimers.of(neverOpen)
                    .schedule(record("x"), 1, TimeUnit.MILLISECONDS)
                    .isPending());
        }

        @Test
        void badArgumentsAreRejectedEvenOnAClosedChannel() {
            assertThrows(NullPointerException.class, () -> timers.schedule(null, 1, TimeUnit.SECONDS));
            assertThrows(NullPointerException.class, () -> timers.schedule(() -> {}, 1, null));
            assertThrows(IllegalArgumentException.class, () -> timers.scheduleTicker(() -> {}, 0, TimeUnit.SECONDS));
            ch.close().syncUninterruptibly();
            assertThrows(IllegalArgumentException.class, () -> timers.scheduleTicker(() -> {}, -1, TimeUnit.SECONDS));
            assertThrows(NullPointerException.class, () -> timers.scheduleTicker(null, 1, TimeUnit.SECONDS));
        }

        @Test
        void anUnregisteredChannelIsRefusedWithAnExplanation() {
            EmbeddedChannel unregistered =
                    EmbeddedChannel.builder().register(false).build();
            IllegalStateException e = assertThrows(
                    IllegalStateException.class,
                    () -> ChannelTimers.of(unregistered).schedule(() -> {}, 1, TimeUnit.SECONDS));
            assertTrue(e.getMessage().contains("not registered"), e.getMessage());
        }

        @Test
        void aThrowingTickerIsLoggedAndKeepsTicking() {
            AtomicInteger runs = new AtomicInteger();
            timers.scheduleTicker(
                    () -> {
                        runs.incrementAndGet();
                        throw new IllegalStateException("expected by the test");
                    },
                    10,
                    TimeUnit.MILLISECONDS);
            advance(50);
            assertEquals(5, runs.get());
        }

        @Test
        void overflowingDelaysNeverRun() {
            TimerHandle t = timers.schedule(record("never"), Long.MAX_VALUE, TimeUnit.NANOSECONDS);
            assertTrue(t.isPending());
            assertEquals(Long.MAX_VALUE, t.deadlineNanos());
            ticker.advance(3650, TimeUnit.DAYS);
            ch.runPendingTasks();
            assertEquals(List.of(), ran);
            assertTrue(t.stop());
        }
    }

    /** Real loops: a TimerEventLoopGroup (the heap path) and a stock NIO group (the fallback). */
    @Nested
    class OnRealLoops {
        static TimerEventLoopGroup timerGroup;
        static EventLoopGroup stockGroup;

        @BeforeAll
        static void start() {
            timerGroup = new TimerEventLoopGroup(1, NioIoHandler.newFactory());
            stockGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        }

        @AfterAll
        static void stop() {
            timerGroup.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
            stockGroup.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
        }

        private Channel registeredChannel(EventLoopGroup group) {
            NioSocketChannel ch = new NioSocketChannel();
            group.register(ch).syncUninterruptibly();
            return ch;
        }

        private <T> T onLoop(EventLoop loop, Callable<T> c) throws Exception {
            return loop.submit(c).get(10, TimeUnit.SECONDS);
        }

        @Test
        void onATimerEventLoopTimersLiveInItsHeapAndDieWithTheChannel() throws Exception {
            Channel ch = registeredChannel(timerGroup);
            TimerEventLoop loop = (TimerEventLoop) ch.eventLoop();
            long before = loop.timers().stats().pendingTimers();
            CountDownLatch ran = new CountDownLatch(1);
            AtomicBoolean ranOnLoop = new AtomicBoolean();
            ChannelTimers timers = ChannelTimers.of(ch);
            // from a foreign thread and from the loop
            timers.schedule(
                    () -> {
                        ranOnLoop.set(loop.inEventLoop());
                        ran.countDown();
                    },
                    10,
                    TimeUnit.MILLISECONDS);
            TimerHandle ticker = onLoop(loop, () -> timers.scheduleTicker(() -> {}, 1, TimeUnit.MINUTES));
            TimerHandle hour = timers.schedule(() -> {}, 1, TimeUnit.HOURS);
            assertTrue(ran.await(10, TimeUnit.SECONDS));
            assertTrue(ranOnLoop.get(), "callbacks run on the channel's loop");
            assertEquals(before + 2, loop.timers().stats().pendingTimers(), "the ticker and the hour are in the heap");

            ch.close().syncUninterruptibly();
            assertFalse(ticker.isPending());
            assertFalse(hour.isPending());
            // The foreign-armed timer reaches the list through a lazy task; poll until the loop has
            // processed everything and the heap holds none of this channel's timers.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (loop.timers().stats().pendingTimers() != before && System.nanoTime() < deadline) {
                onLoop(loop, () -> null);
                Thread.sleep(5);
            }
            assertEquals(
                    before, loop.timers().stats().pendingTimers(), "a ticker nobody stopped died with its channel");
            assertEquals(0, (int) onLoop(loop, () -> Internals.tracked(timers)));
        }

        // The close must not be awaited mid-loop; closeFuture() is awaited after it.
        @SuppressWarnings("FutureReturnValueIgnored")
        @Test
        void foreignSchedulesRacingTheCloseNeverRunAfterIt() throws Exception {
            Channel ch = registeredChannel(timerGroup);
            TimerEventLoop loop = (TimerEventLoop) ch.eventLoop();
            long before = loop.timers().stats().pendingTimers();
            ChannelTimers timers = ChannelTimers.of(ch);
            AtomicBoolean closed = new AtomicBoolean();
            AtomicInteger ranAfterClose = new AtomicInteger();
            ch.closeFuture().addListener(f -> closed.set(true));
            List<TimerHandle> handles = new ArrayList<>();
            for (int i = 0; i < 20_000; i++) {
                if (i == 10_000) {
                    ch.close(); // from this thread: runs on the loop while we keep scheduling
                }
                handles.add(timers.schedule(
                        () -> {
                            if (closed.get()) {
                                ranAfterClose.incrementAndGet();
                            }
                        },
                        i % 3,
                        TimeUnit.MILLISECONDS));
            }
            ch.closeFuture().syncUninterruptibly();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (loop.timers().stats().pendingTimers() != before && System.nanoTime() < deadline) {
                onLoop(loop, () -> null);
                Thread.sleep(5);
            }
            assertEquals(0, ranAfterClose.get());
            assertEquals(before, loop.timers().stats().pendingTimers());
            for (TimerHandle h : handles) {
                assertFalse(h.isPending());
            }
        }

        /**
         * Two foreign threads race resets and stops against the loop running the timer, on both
         * paths. Afterwards one final stop must leave nothing pending, nothing running, and an
         * empty list once the loop has reconciled.
         */
        // The marker's latch shows it ran.
        @SuppressWarnings("FutureReturnValueIgnored")
        @Test
        void racingForeignResetsAndStopsSettleCleanly() throws Exception {
            for (EventLoopGroup group : List.of(timerGroup, stockGroup)) {
                Channel ch = registeredChannel(group);
                ChannelTimers timers = ChannelTimers.of(ch);
                AtomicInteger runs = new AtomicInteger();
                TimerHandle oneShot = timers.schedule(runs::incrementAndGet, 1, TimeUnit.MILLISECONDS);
                TimerHandle ticker = timers.scheduleTicker(runs::incrementAndGet, 1, TimeUnit.MILLISECONDS);
                List<Thread> racers = new ArrayList<>();
                long bound = System.nanoTime() + Loops.BOUND_NANOS;
                for (int r = 0; r < 2; r++) {
                    int seed = r;
                    Thread t = new Thread(() -> {
                        // At least 5,000 operations, and on until some timer has run mid-race.
                        for (int i = 0; i < 5_000 || (runs.get() == 0 && System.nanoTime() - bound < 0); i++) {
                            TimerHandle h = (i + seed) % 2 == 0 ? oneShot : ticker;
                            if (i % 3 == 0) {
                                h.stop();
                            } else {
                                h.reset(1 + i % 2, TimeUnit.MILLISECONDS);
                            }
                            if (i % 500 == 499) {
                                // A re-arm pushes the deadline 1-2 ms out; quiet gaps let timers fire.
                                Loops.sleepMillis(3);
                            }
                        }
                    });
                    racers.add(t);
                    t.start();
                }
                for (Thread t : racers) {
                    t.join(TimeUnit.SECONDS.toMillis(30));
                }
                oneShot.stop();
                ticker.stop();
                assertFalse(oneShot.isPending());
                assertFalse(ticker.isPending());
                // Let every reconcile and any task already running finish, then watch for runs.
                onLoop(ch.eventLoop(), () -> null);
                int settled = runs.get();
                CountDownLatch marker = new CountDownLatch(1);
                ch.eventLoop().schedule(marker::countDown, 20, TimeUnit.MILLISECONDS);
                assertTrue(marker.await(10, TimeUnit.SECONDS));
                assertEquals(
                        settled,
                        runs.get(),
                        "a stopped timer ran (" + group.getClass().getSimpleName() + ")");
                assertTrue(settled > 0, "the timers did run during the race");
                assertEquals(0, (int) onLoop(ch.eventLoop(), () -> Internals.tracked(timers)), "list not reconciled");
                ch.close().syncUninterruptibly();
            }
        }

        // The marker's latch shows it ran.
        @SuppressWarnings("FutureReturnValueIgnored")
        @Test
        void onAStockLoopTheSchedulerIsUsedWithTheSameGuarantees() throws Exception {
            Channel ch = registeredChannel(stockGroup);
            ChannelTimers timers = ChannelTimers.of(ch);
            CountDownLatch ticks = new CountDownLatch(3);
            AtomicBoolean onLoop = new AtomicBoolean(true);
            TimerHandle ticker = timers.scheduleTicker(
                    () -> {
                        onLoop.compareAndSet(true, ch.eventLoop().inEventLoop());
                        ticks.countDown();
                    },
                    5,
                    TimeUnit.MILLISECONDS);
            AtomicInteger late = new AtomicInteger();
            TimerHandle later = timers.schedule(late::incrementAndGet, 200, TimeUnit.MILLISECONDS);
            assertTrue(ticks.await(10, TimeUnit.SECONDS));
            assertTrue(onLoop.get());
            ch.close().syncUninterruptibly();
            assertFalse(ticker.isPending());
            assertFalse(later.isPending());
            // A marker due after `later`'s deadline, on the same loop: once it has run, `later`
            // would have run too had the close not stopped it.
            CountDownLatch marker = new CountDownLatch(1);
            ch.eventLoop().schedule(marker::countDown, 250, TimeUnit.MILLISECONDS);
            assertTrue(marker.await(10, TimeUnit.SECONDS));
            assertEquals(0, late.get());
            assertEquals(0, (int) onLoop(ch.eventLoop(), () -> Internals.tracked(timers)));
        }
    }
}
