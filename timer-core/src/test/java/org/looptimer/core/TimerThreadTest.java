package org.looptimer.core;

import static java.util.concurrent.TimeUnit.HOURS;
import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link TimerThread}, the standalone driver, on the real clock. Real time only decides when
 * things happen; every verdict waits with a generous bound and asserts no timing.
 */
class TimerThreadTest {

    private final TimerThread timers = new TimerThread("timer-thread-test");

    @AfterEach
    void close() {
        timers.close();
    }

    private static void await(CountDownLatch latch, String what) throws InterruptedException {
        assertTrue(latch.await(10, SECONDS), what + " within 10 s");
    }

    @Test
    void runsTimersOnItsOwnThread() throws Exception {
        AtomicReference<String> ranOn = new AtomicReference<>();
        CountDownLatch ran = new CountDownLatch(1);
        timers.timers()
                .schedule(
                        () -> {
                            ranOn.set(Thread.currentThread().getName());
                            ran.countDown();
                        },
                        1,
                        MILLISECONDS);
        await(ran, "the timer ran");
        assertEquals("timer-thread-test", ranOn.get());
    }

    @Test
    void earlierTimerFromAnotherThreadWakesItFromALongSleep() throws Exception {
        timers.timers().schedule(() -> {}, 1, HOURS);
        AtomicReference<Thread> owner = new AtomicReference<>();
        CountDownLatch firstPass = new CountDownLatch(1);
        timers.timers()
                .schedule(
                        () -> {
                            owner.set(Thread.currentThread());
                            firstPass.countDown();
                        },
                        0,
                        MILLISECONDS);
        await(firstPass, "the thread ran its first pass");
        long deadline = System.nanoTime() + SECONDS.toNanos(10);
        while (owner.get().getState() != Thread.State.TIMED_WAITING && System.nanoTime() - deadline < 0) {
            Thread.sleep(1);
        }
        assertEquals(Thread.State.TIMED_WAITING, owner.get().getState(), "parked toward +1 h");

        CountDownLatch ran = new CountDownLatch(1);
        timers.timers().schedule(ran::countDown, 1, MILLISECONDS);
        await(ran, "the earlier timer woke the sleeping thread");
        assertTrue(
                timers.timers().stats().wakeupsRequested() >= 1,
                timers.timers().stats().toString());
    }

    @Test
    void emptyHeapParksUntilTheFirstTimer() throws Exception {
        CountDownLatch ran = new CountDownLatch(1);
        timers.timers().schedule(ran::countDown, 0, MILLISECONDS);
        await(ran, "a timer scheduled on an idle thread ran");
    }

    @Test
    void tickerKeepsTicking() throws Exception {
        CountDownLatch fiveTicks = new CountDownLatch(5);
        TimerHandle ticker = timers.timers().scheduleTicker(fiveTicks::countDown, 1, MILLISECONDS);
        await(fiveTicks, "five ticks");
        assertTrue(ticker.stop());
    }

    @Test
    void failingCallbackDoesNotKillTheThread() throws Exception {
        timers.timers()
                .schedule(
                        () -> {
                            throw new IllegalStateException("expected by the test: logged by the default handler");
                        },
                        0,
                        MILLISECONDS);
        CountDownLatch after = new CountDownLatch(1);
        timers.timers().schedule(after::countDown, 1, MILLISECONDS);
        await(after, "a timer after the failing one ran");
        assertTrue(timers.isAlive());
        assertEquals(1, timers.timers().stats().callbackFailures());
    }

    @Test
    void closeStopsPendingTimersEndsTheThreadAndRejectsNewWork() {
        AtomicInteger runs = new AtomicInteger();
        TimerHandle pending = timers.timers().schedule(runs::incrementAndGet, 1, HOURS);
        timers.close();

        assertFalse(timers.isAlive(), "close() waits for the thread");
        assertTrue(timers.timers().isClosed());
        assertFalse(pending.isPending());
        assertFalse(pending.stop());
        assertThrows(
                RejectedExecutionException.class,
                () -> timers.timers().schedule(runs::incrementAndGet, 0, MILLISECONDS));
        assertEquals(0, runs.get());
        timers.close(); // idempotent
    }

    @Test
    void closeFromACallbackDoesNotDeadlock() throws Exception {
        CountDownLatch closing = new CountDownLatch(1);
        timers.timers()
                .schedule(
                        () -> {
                            timers.close();
                            closing.countDown();
                        },
                        0,
                        MILLISECONDS);
        await(closing, "close() returned inside the callback");
        long deadline = System.nanoTime() + SECONDS.toNanos(10);
        while (timers.isAlive() && System.nanoTime() - deadline < 0) {
            Thread.sleep(1);
        }
        assertFalse(timers.isAlive(), "the thread ended after its pass");
        assertTrue(timers.timers().isClosed());
    }
}
