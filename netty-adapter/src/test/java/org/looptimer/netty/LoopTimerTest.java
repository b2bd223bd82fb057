package org.looptimer.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.nio.NioIoHandler;
import io.netty.util.Timeout;
import io.netty.util.Timer;
import io.netty.util.TimerTask;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link Timer} as Netty's {@code HashedWheelTimerTest} states it, for
 * {@link LoopTimer} on a real {@link TimerEventLoopGroup}. Lower bounds on timing are hard (a
 * timeout never runs early); upper bounds are generous and only catch a timeout that never runs.
 * "Has not run" is checked against a later marker timeout on the same timer, never by sleeping.
 */
class LoopTimerTest {

    private static final long GENEROUS_SECONDS = 10;

    private static TimerEventLoopGroup group;

    @BeforeAll
    static void startGroup() {
        group = new TimerEventLoopGroup(2, NioIoHandler.newFactory());
    }

    @AfterAll
    static void stopGroup() {
        group.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static TimerTask countDown(CountDownLatch latch) {
        return t -> latch.countDown();
    }

    /** Waits for a fresh marker timeout due {@code millis} from now on {@code timer}. */
    private static void awaitMarker(Timer timer, long millis) throws InterruptedException {
        CountDownLatch marker = new CountDownLatch(1);
        timer.newTimeout(countDown(marker), millis, TimeUnit.MILLISECONDS);
        assertTrue(marker.await(GENEROUS_SECONDS, TimeUnit.SECONDS), "marker timeout never ran");
    }

    @Test
    void aTimeoutDoesNotRunBeforeItsDelay() throws Exception {
        LoopTimer timer = new LoopTimer(group);
        AtomicBoolean ranEarly = new AtomicBoolean();
        Timeout tenSeconds = timer.newTimeout(t -> ranEarly.set(true), 10, TimeUnit.SECONDS);
        long start = System.nanoTime();
        AtomicLong firedAfter = new AtomicLong();
        CountDownLatch fired = new CountDownLatch(1);
        timer.newTimeout(
                t -> {
                    firedAfter.set(System.nanoTime() - start);
                    fired.countDown();
                },
                200,
                TimeUnit.MILLISECONDS);
        assertTrue(fired.await(GENEROUS_SECONDS, TimeUnit.SECONDS));
        assertTrue(firedAfter.get() >= TimeUnit.MILLISECONDS.toNanos(200), "ran early: " + firedAfter.get() + " ns");
        assertFalse(ranEarly.get());
        assertFalse(tenSeconds.isExpired(), "timer should not expire");
        timer.stop();
    }

    @Test
    void onALoopThreadTheDelayIsMeasuredFromTheCallNotFromThePassStart() throws Exception {
        LoopTimer timer = new LoopTimer(group);
        EventExecutor loop = group.next();
        AtomicLong firedAfter = new AtomicLong();
        CountDownLatch fired = new CountDownLatch(1);
        loop.execute(() -> {
            // Burn 30 ms of the loop's pass first: the heap's cached pass time is now stale.
            long busyUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(30);
            while (System.nanoTime() < busyUntil) {
                Thread.onSpinWait();
            }
            long start = System.nanoTime();
            timer.newTimeout(
                    t -> {
                        firedAfter.set(System.nanoTime() - start);
                        fired.countDown();
                    },
                    50,
                    TimeUnit.MILLISECONDS);
        });
        assertTrue(fired.await(GENEROUS_SECONDS, TimeUnit.SECONDS));
        assertTrue(firedAfter.get() >= TimeUnit.MILLISECONDS.toNanos(50), "ran early: " + firedAfter.get() + " ns");
        timer.stop();
    }

    @Test
    void aTimeoutRunsAfterItsDelayAndIsThenExpired() throws Exception {
        LoopTimer timer = new LoopTimer(group);
        CountDownLatch barrier = new CountDownLatch(1);
        Timeout timeout = timer.newTimeout(countDown(barrier), 100, TimeUnit.MILLISECONDS);
        assertTrue(barrier.await(GENEROUS_SECONDS, TimeUnit.SECONDS));
        assertTrue(timeout.isExpired(), "timer should expire");
        assertFalse(timeout.isCancelled());
        assertFalse(timeout.cancel(), "an expired timeout cannot be cancelled");
        assertSame(timer, timeout.timer());
        assertNotNull(timeout.task());
        timer.stop();
    }

    @Test
    void stopReturnsOnlyTheUnprocessedTimeoutsAllCancelled() throws Exception {
        LoopTimer processed = new LoopTimer(group);
        CountDownLatch latch = new CountDownLatch(3);
        for (int i = 0; i < 3; i++) {
            processed.newTimeout(countDown(latch), 1, TimeUnit.MILLISECONDS);
        }
        assertTrue(latch.await(GENEROUS_SECONDS, TimeUnit.SECONDS));
        assertEquals(0, processed.stop().size(), "Number of unprocessed timeouts should be 0");

        LoopTimer unprocessed = new LoopTimer(group);
        AtomicInteger ran = new AtomicInteger();
        AtomicInteger cancelledCallbacks = new AtomicInteger();
        List<Timeout> created = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            created.add(unprocessed.newTimeout(
                    new TimerTask() {
                        @Override
                        public void run(Timeout timeout) {
                            ran.incrementAndGet();
                        }

                        @Override
                        public void cancelled(Timeout timeout) {
                            cancelledCallbacks.incrementAndGet();
                        }
                    },
                    5,
                    TimeUnit.SECONDS));
        }
        Set<Timeout> stopped = unprocessed.stop();
        assertEquals(5, stopped.size());
        assertTrue(stopped.containsAll(created));
        for (Timeout t : stopped) {
            assertTrue(t.isCancelled(), "All unprocessed tasks should be canceled");
        }
        assertEquals(5, cancelledCallbacks.get());
        assertEquals(0, unprocessed.pendingTimeouts());
        assertEquals(0, stopped.size() - created.size());
        assertTrue(unprocessed.stop().isEmpty(), "a second stop returns nothing");
        assertEquals(0, ran.get());
    }

    @Test
    void newTimeoutAfterStopThrowsIllegalState() {
        LoopTimer timer = new LoopTimer(group);
        timer.stop();
        assertThrows(IllegalStateException.class, () -> timer.newTimeout(t -> {}, 1, TimeUnit.MILLISECONDS));
        assertEquals(0, timer.pendingTimeouts());
    }

    @Test
    void aTaskThatSchedulesItselfStaysOnItsLoop() throws Exception {
        LoopTimer timer = new LoopTimer(group);
        CountDownLatch latch = new CountDownLatch(3);
        ConcurrentLinkedQueue<Thread> threads = new ConcurrentLinkedQueue<>();
        timer.newTimeout(
                new TimerTask() {
                    @Override
                    public void run(Timeout timeout) {
                        threads.add(Thread.currentThread());
                        timer.newTimeout(this, 20, TimeUnit.MILLISECONDS);
                        latch.countDown();
                    }
                },
                20,
                TimeUnit.MILLISECONDS);
        assertTrue(latch.await(GENEROUS_SECONDS, TimeUnit.SECONDS));
        assertEquals(1, threads.stream().distinct().count(), "re-created on a loop thread: same loop");
        assertFalse(timer.stop().isEmpty(), "the next self-scheduled timeout was pending");
    }

    @Test
    void aTimeoutCreatedOnALoopThreadRunsOnThatLoop() throws Exception {
        LoopTimer timer = new LoopTimer(group);
        for (EventExecutor loop : group) {
            AtomicBoolean sameLoop = new AtomicBoolean();
            CountDownLatch done = new CountDownLatch(1);
            loop.execute(() -> timer.newTimeout(
                    t -> {
                        sameLoop.set(loop.inEventLoop());
                        done.countDown();
                    },
                    1,
                    TimeUnit.MILLISECONDS));
            assertTrue(done.await(GENEROUS_SECONDS, TimeUnit.SECONDS));
            assertTrue(sameLoop.get(), "ran on " + Thread.currentThread() + ", not on the creating loop");
        }
        timer.stop();
    }

    @Test
    void aHundredThousandTimeoutsAllRunWithinBounds() throws Exception {
        LoopTimer timer = new LoopTimer(group);
        int count = 100_000;
        long timeoutMillis = 125;
        long[] lateness = new long[count];
        CountDownLatch all = new CountDownLatch(count);
        for (int i = 0; i < count; i++) {
            int index = i;
            long start = System.nanoTime();
            timer.newTimeout(
                    t -> {
                        lateness[index] = System.nanoTime() - start;
                        all.countDown();
                    },
                    timeoutMillis,
                    TimeUnit.MILLISECONDS);
        }
        assertTrue(all.await(30, TimeUnit.SECONDS), all.getCount() + " of " + count + " never ran");
        long min = Long.MAX_VALUE;
        long max = 0;
        for (long l : lateness) {
            min = Math.min(min, l);
            max = Math.max(max, l);
        }
        assertTrue(min >= TimeUnit.MILLISECONDS.toNanos(timeoutMillis), "one ran early: " + min + " ns");
        assertTrue(max < TimeUnit.SECONDS.toNanos(GENEROUS_SECONDS), "one ran " + max + " ns after creation");
        assertEquals(0, timer.pendingTimeouts());
        timer.stop();
    }

    @Test
    void aLongMaxValueDelayNeverRunsAndCanBeCancelled() throws Exception {
        LoopTimer timer = new LoopTimer(group);
        AtomicBoolean ran = new AtomicBoolean();
        Timeout timeout = timer.newTimeout(t -> ran.set(true), Long.MAX_VALUE, TimeUnit.MILLISECONDS);
        awaitMarker(timer, 100);
        assertFalse(ran.get());
        assertFalse(timeout.isExpired());
        assertTrue(timeout.cancel());
        assertTrue(timeout.isCancelled());
        timer.stop();
    }

    @Test
    void aCancelledTimeoutNeverRunsAndItsCallbackIsTold() throws Exception {
        LoopTimer timer = new LoopTimer(group);
        AtomicBoolean ran = new AtomicBoolean();
        AtomicReference<Timeout> toldAbout = new AtomicReference<>();
        Timeout timeout = timer.newTimeout(
                new TimerTask() {
                    @Override
                    public void run(Timeout t) {
                        ran.set(true);
                    }

                    @Override
                    public void cancelled(Timeout t) {
                        toldAbout.set(t);
                    }
                },
                50,
                TimeUnit.MILLISECONDS);
        assertEquals(1, timer.pendingTimeouts());
        assertTrue(timeout.cancel());
        assertFalse(timeout.cancel(), "only the first cancel succeeds");
        assertSame(timeout, toldAbout.get());
        assertEquals(0, timer.pendingTimeouts());
        awaitMarker(timer, 100);
        assertFalse(ran.get());
        timer.stop();
    }

    @Test
    void maxPendingTimeoutsRejectsUntilOneIsCancelledOrExpires() throws Exception {
        LoopTimer timer = new LoopTimer(group, 2);
        timer.newTimeout(t -> {}, 5, TimeUnit.SECONDS);
        Timeout toCancel = timer.newTimeout(t -> {}, 5, TimeUnit.SECONDS);
        RejectedExecutionException e = assertThrows(
                RejectedExecutionException.class, () -> timer.newTimeout(t -> {}, 1, TimeUnit.MILLISECONDS));
        assertTrue(e.getMessage().contains("maximum allowed pending timeouts (2)"), e.getMessage());
        assertTrue(toCancel.cancel());
        CountDownLatch expired = new CountDownLatch(1);
        timer.newTimeout(countDown(expired), 10, TimeUnit.MILLISECONDS);
        assertTrue(expired.await(GENEROUS_SECONDS, TimeUnit.SECONDS));
        CountDownLatch second = new CountDownLatch(1);
        timer.newTimeout(countDown(second), 10, TimeUnit.MILLISECONDS); // the expired one freed a slot
        assertTrue(second.await(GENEROUS_SECONDS, TimeUnit.SECONDS));
        assertEquals(1, timer.stop().size());
    }

    @Test
    void aThrowingTaskIsLoggedAndOthersStillRun() throws Exception {
        LoopTimer timer = new LoopTimer(group);
        for (EventExecutor loop : group) {
            loop.execute(() -> timer.newTimeout(
                    t -> {
                        throw new IllegalStateException("expected by the test");
                    },
                    1,
                    TimeUnit.MILLISECONDS));
        }
        awaitMarker(timer, 50);
        CountDownLatch after = new CountDownLatch(2);
        for (EventExecutor loop : group) {
            loop.execute(() -> timer.newTimeout(countDown(after), 1, TimeUnit.MILLISECONDS));
        }
        assertTrue(after.await(GENEROUS_SECONDS, TimeUnit.SECONDS), "both loops kept running timeouts");
        timer.stop();
    }

    @Test
    void stopMayBeCalledFromATask() throws Exception {
        LoopTimer timer = new LoopTimer(group);
        Timeout pending = timer.newTimeout(t -> {}, 1, TimeUnit.HOURS);
        AtomicReference<Set<Timeout>> fromTask = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        timer.newTimeout(
                t -> {
                    fromTask.set(timer.stop());
                    done.countDown();
                },
                1,
                TimeUnit.MILLISECONDS);
        assertTrue(done.await(GENEROUS_SECONDS, TimeUnit.SECONDS));
        assertEquals(Set.of(pending), fromTask.get());
        assertTrue(pending.isCancelled());
    }

    @Test
    void badArgumentsAreRejected() {
        LoopTimer timer = new LoopTimer(group);
        assertThrows(NullPointerException.class, () -> new LoopTimer(null));
        assertThrows(NullPointerException.class, () -> timer.newTimeout(null, 1, TimeUnit.SECONDS));
        assertThrows(NullPointerException.class, () -> timer.newTimeout(t -> {}, 1, null));
        assertEquals(0, timer.pendingTimeouts());
        timer.stop();
    }

    @Test
    void cancelledAndExpiredTimeoutsDoNotAccumulate() throws Exception {
        LoopTimer timer = new LoopTimer(group);
        for (int i = 0; i < 200_000; i++) {
            timer.newTimeout(t -> {}, 1, TimeUnit.HOURS).cancel();
        }
        // Sweeps keep the registries near the live count (0 here), not the 200k ever created.
        assertTrue(Internals.registered(timer) <= 2 * 2 * 64 + 2, "registries hold " + Internals.registered(timer));
        assertEquals(0, timer.pendingTimeouts());
        assertTrue(timer.stop().isEmpty());
    }

    @Test
    void stopRacingNewTimeoutsLeavesNothingPending() throws Exception {
        LoopTimer timer = new LoopTimer(group);
        int threads = 3;
        List<ConcurrentLinkedQueue<Timeout>> created = new ArrayList<>();
        List<Thread> workers = new ArrayList<>();
        CountDownLatch started = new CountDownLatch(threads);
        for (int i = 0; i < threads; i++) {
            ConcurrentLinkedQueue<Timeout> mine = new ConcurrentLinkedQueue<>();
            created.add(mine);
            Thread w = new Thread(() -> {
                started.countDown();
                try {
                    for (; ; ) {
                        mine.add(timer.newTimeout(t -> {}, 1, TimeUnit.HOURS));
                    }
                } catch (IllegalStateException stopped) {
                    // expected: the timer was stopped
                }
            });
            workers.add(w);
            w.start();
        }
        started.await();
        Thread.sleep(20); // let them create a few thousand; the verdict does not depend on it
        Set<Timeout> stopped = timer.stop();
        for (Thread w : workers) {
            w.join(TimeUnit.SECONDS.toMillis(GENEROUS_SECONDS));
            assertFalse(w.isAlive());
        }
        int total = 0;
        for (ConcurrentLinkedQueue<Timeout> q : created) {
            for (Timeout t : q) {
                total++;
                assertTrue(t.isCancelled(), "a timeout created before the stop escaped it");
                assertTrue(stopped.contains(t));
            }
        }
        assertTrue(total > 0);
        assertEquals(0, timer.pendingTimeouts());
    }
}
