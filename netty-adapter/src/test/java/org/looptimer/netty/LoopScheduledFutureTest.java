package org.looptimer.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.BlockingOperationException;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Netty {@link ScheduledFuture} contract of {@link TimerEventLoop}'s schedule methods, on a real loop. */
class LoopScheduledFutureTest {

    private TimerEventLoopGroup group;
    private TimerEventLoop loop;

    @BeforeEach
    void start() {
        group = new TimerEventLoopGroup(1, NioIoHandler.newFactory());
        loop = group.next();
    }

    @AfterEach
    void stop() {
        Loops.shutdown(group);
    }

    @Test
    void runnableRunsOnTheLoopAndCompletesWithNull() throws Exception {
        AtomicBoolean onLoop = new AtomicBoolean();
        ScheduledFuture<?> f = loop.schedule(() -> onLoop.set(loop.inEventLoop()), 20, TimeUnit.MILLISECONDS);
        assertTrue(f.await(10, TimeUnit.SECONDS));
        assertTrue(f.isSuccess());
        assertNull(f.getNow());
        assertTrue(onLoop.get());
        assertFalse(f.cancel(false), "a task that ran cannot be cancelled");
        assertFalse(f.isCancelled());
    }

    /**
     * The future is also a {@link org.looptimer.core.TimerHandle}: stopping it through that face
     * must not leave a future that never completes and a waiter that never wakes.
     */
    @Test
    void stoppingTheFutureAsATimerHandleCancelsIt() throws Exception {
        AtomicBoolean ran = new AtomicBoolean();
        ScheduledFuture<?> f = loop.schedule(() -> ran.set(true), 1, TimeUnit.HOURS);
        org.looptimer.core.TimerHandle handle = assertInstanceOf(org.looptimer.core.TimerHandle.class, f);
        assertTrue(handle.stop());
        assertTrue(f.await(10, TimeUnit.SECONDS), "the stopped future completes");
        assertTrue(f.isCancelled());
        assertFalse(ran.get());
        assertFalse(f.cancel(false), "already cancelled");
    }

    /**
     * A long task on the loop leaves the pass's clock reading stale; a Netty schedule from the loop
     * must still count its delay from the call, as stock Netty does.
     */
    // Nested on purpose: the loop schedules, and submit hands its future back.
    @SuppressWarnings("FutureReturnValueIgnored")
    @Test
    void scheduleFromALongTaskOnTheLoopIsNeverEarly() throws Exception {
        long delay = TimeUnit.MILLISECONDS.toNanos(50);
        long[] scheduledAt = new long[1];
        ScheduledFuture<Long> f = loop.submit(() -> {
                    long busyUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
                    while (System.nanoTime() - busyUntil < 0) {
                        Thread.onSpinWait(); // the pass's clock reading grows stale while this task runs
                    }
                    scheduledAt[0] = loop.ticker().nanoTime();
                    return loop.schedule(() -> loop.ticker().nanoTime(), delay, TimeUnit.NANOSECONDS);
                })
                .get(10, TimeUnit.SECONDS);
        long ranAt = f.get(10, TimeUnit.SECONDS);
        assertTrue(
                ranAt - scheduledAt[0] >= delay,
                "ran " + (ranAt - scheduledAt[0]) + " ns after a " + delay + " ns schedule");
    }

    @Test
    void callableCompletesWithItsValueAndNotifiesListenersOnTheLoop() throws Exception {
        ScheduledFuture<String> f = loop.schedule(() -> "done", 10, TimeUnit.MILLISECONDS);
        CompletableListener<String> listener = new CompletableListener<>();
        f.addListener(listener);
        assertEquals("done", f.get(10, TimeUnit.SECONDS));
        listener.await();
        assertSame(f, listener.future);
        assertTrue(listener.onLoop);
    }

    /** A task that is both: scheduled as a Callable it is called, as a Runnable it is run. */
    @Test
    void taskThatIsBothRunnableAndCallableIsUsedAsScheduled() throws Exception {
        class Both implements Runnable, java.util.concurrent.Callable<String> {
            volatile boolean ran;

            @Override
            public void run() {
                ran = true;
            }

            @Override
            public String call() {
                return "called";
            }
        }
        Both both = new Both();
        assertEquals(
                "called",
                loop.schedule((java.util.concurrent.Callable<String>) both, 1, TimeUnit.MILLISECONDS)
                        .get(10, TimeUnit.SECONDS));
        assertFalse(both.ran);
        assertNull(loop.schedule((Runnable) both, 1, TimeUnit.MILLISECONDS).get(10, TimeUnit.SECONDS));
        assertTrue(both.ran);
    }

    @Test
    void timersLiveInTheLoopHeap() throws Exception {
        long before = loop.timers().stats().pendingTimers();
        ScheduledFuture<?> f = loop.schedule(() -> {}, 10, TimeUnit.MINUTES);
        assertEquals(before + 1, loop.timers().stats().pendingTimers());
        assertTrue(f.cancel(false));
        assertEquals(before, loop.timers().stats().pendingTimers());
    }

    @Test
    void cancelledTaskNeverRunsAndListenersSeeTheCancellation() throws Exception {
        AtomicBoolean ran = new AtomicBoolean();
        ScheduledFuture<?> f = loop.schedule(() -> ran.set(true), 50, TimeUnit.MILLISECONDS);
        CompletableListener<Object> listener = new CompletableListener<>();
        f.addListener(listener);
        assertTrue(f.cancel(false));
        assertTrue(f.isCancelled());
        assertTrue(f.isDone());
        assertFalse(f.cancel(false), "second cancel");
        listener.await();
        assertTrue(listener.future.isCancelled());
        // Timers run earliest first: had the cancel not stopped it, it would run before this one.
        loop.schedule(() -> {}, 100, TimeUnit.MILLISECONDS).sync();
        assertFalse(ran.get());
    }

    @Test
    void tasksRunInDeadlineOrderAndFuturesCompareByDeadline() throws Exception {
        List<Integer> order = new CopyOnWriteArrayList<>();
        List<ScheduledFuture<?>> futures = loop.submit(() -> {
                    List<ScheduledFuture<?>> fs = new ArrayList<>();
                    for (int ms : new int[] {30, 10, 20, 0}) {
                        fs.add(loop.schedule(() -> order.add(ms), ms, TimeUnit.MILLISECONDS));
                    }
                    return fs;
                })
                .get(10, TimeUnit.SECONDS);
        for (ScheduledFuture<?> f : futures) {
            assertTrue(f.await(10, TimeUnit.SECONDS));
        }
        assertEquals(List.of(0, 10, 20, 30), order);
        assertTrue(futures.get(1).compareTo(futures.get(2)) < 0);
        assertTrue(futures.get(0).compareTo(futures.get(2)) > 0);
        assertEquals(0, futures.get(0).compareTo(futures.get(0)));
    }

    @Test
    void getDelayCountsDownToTheDeadline() {
        ScheduledFuture<?> f = loop.schedule(() -> {}, 10, TimeUnit.SECONDS);
        long delay = f.getDelay(TimeUnit.MILLISECONDS);
        assertTrue(delay > 5_000 && delay <= 10_000, "delay " + delay);
        f.cancel(false);
        ScheduledFuture<?> never = loop.schedule(() -> {}, Long.MAX_VALUE, TimeUnit.DAYS);
        assertTrue(never.getDelay(TimeUnit.DAYS) > 365L * 100, "an overflowing delay is never");
        never.cancel(false);
    }

    @Test
    void negativeDelayRunsAsSoonAsPossible() throws Exception {
        assertTrue(loop.schedule(() -> {}, -5, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS));
    }

    // The marker's latch shows it ran.
    @SuppressWarnings("FutureReturnValueIgnored")
    @Test
    void fixedRateRunsOnePeriodApartFromTheFirstDeadlineUntilCancelled() throws Exception {
        long period = TimeUnit.MILLISECONDS.toNanos(10);
        AtomicReference<LoopScheduledFuture<?>> self = new AtomicReference<>();
        List<Long> deadlines = new CopyOnWriteArrayList<>();
        List<Long> starts = new CopyOnWriteArrayList<>();
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch marker = new CountDownLatch(1);
        AtomicInteger runsAtMarker = new AtomicInteger(-1);
        CountDownLatch armed = new CountDownLatch(1);
        ScheduledFuture<?> f = loop.scheduleAtFixedRate(
                () -> {
                    awaitQuietly(armed);
                    starts.add(loop.ticker().nanoTime());
                    deadlines.add(self.get().scheduledDeadlineNanos());
                    if (runs.incrementAndGet() == 5) {
                        self.get().cancel(false); // from the task itself: no further run may start
                        loop.schedule(
                                () -> {
                                    runsAtMarker.set(runs.get());
                                    marker.countDown();
                                },
                                5 * period,
                                TimeUnit.NANOSECONDS);
                    }
                },
                20,
                10,
                TimeUnit.MILLISECONDS);
        self.set((LoopScheduledFuture<?>) f);
        armed.countDown();
        assertTrue(marker.await(10, TimeUnit.SECONDS));
        assertEquals(5, runsAtMarker.get());
        assertTrue(f.isCancelled());
        for (int i = 0; i < 5; i++) {
            assertEquals(deadlines.get(0) + i * period, deadlines.get(i), "fixed rate: deadline of run " + i);
            assertTrue(starts.get(i) >= deadlines.get(i), "run " + i + " started before its deadline");
        }
    }

    /**
     * From another thread with no initial delay the loop may run the task before the scheduling
     * thread has stored the timer handle in the future; the task must keep its period and stop on
     * cancel either way.
     */
    @Test
    void foreignPeriodicScheduleRacingItsFirstRunKeepsRunningAndStopsOnCancel() throws Exception {
        for (int i = 0; i < 300; i++) {
            AtomicInteger runs = new AtomicInteger();
            CountDownLatch threeRuns = new CountDownLatch(3);
            ScheduledFuture<?> f = loop.scheduleAtFixedRate(
                    () -> {
                        runs.incrementAndGet();
                        threeRuns.countDown();
                    },
                    0,
                    100,
                    TimeUnit.MICROSECONDS);
            assertTrue(threeRuns.await(10, TimeUnit.SECONDS), "iteration " + i);
            assertTrue(f.cancel(false));
            int atCancel = loop.submit(runs::get).get(10, TimeUnit.SECONDS);
            loop.schedule(() -> {}, 1, TimeUnit.MILLISECONDS).sync();
            assertEquals(atCancel, runs.get(), "ran after cancel, iteration " + i);
        }
        assertEquals(0, loop.timers().stats().pendingTimers());
    }

    @Test
    void fixedDelayCountsFromTheEndOfThePreviousRun() throws Exception {
        long delay = TimeUnit.MILLISECONDS.toNanos(10);
        List<Long> ends = new CopyOnWriteArrayList<>();
        List<Long> starts = new CopyOnWriteArrayList<>();
        CountDownLatch fourRuns = new CountDownLatch(4);
        ScheduledFuture<?> f = loop.scheduleWithFixedDelay(
                () -> {
                    starts.add(loop.ticker().nanoTime());
                    Loops.sleepMillis(15); // the run takes longer than the delay
                    ends.add(loop.ticker().nanoTime());
                    fourRuns.countDown();
                },
                0,
                10,
                TimeUnit.MILLISECONDS);
        assertTrue(fourRuns.await(10, TimeUnit.SECONDS));
        assertTrue(f.cancel(false));
        for (int i = 1; i < 4; i++) {
            long gap = starts.get(i) - ends.get(i - 1);
            assertTrue(gap >= delay, "run " + i + " started " + gap + " ns after the previous ended");
        }
    }

    @Test
    void periodicTaskThatThrowsFailsTheFutureAndNeverRunsAgain() throws Exception {
        IllegalStateException boom = new IllegalStateException("boom");
        AtomicInteger runs = new AtomicInteger();
        ScheduledFuture<?> f = loop.scheduleAtFixedRate(
                () -> {
                    if (runs.incrementAndGet() == 2) {
                        throw boom;
                    }
                },
                0,
                5,
                TimeUnit.MILLISECONDS);
        assertTrue(f.await(10, TimeUnit.SECONDS));
        assertSame(boom, f.cause());
        assertFalse(f.isCancelled());
        // Five periods later, on the same loop: a third run would have come first.
        loop.schedule(() -> {}, 25, TimeUnit.MILLISECONDS).sync();
        assertEquals(2, runs.get());
    }

    @Test
    void oneShotFailureCompletesTheFutureWithTheCause() throws Exception {
        ScheduledFuture<Object> f = loop.schedule(
                () -> {
                    throw new java.io.IOException("disk");
                },
                1,
                TimeUnit.MILLISECONDS);
        assertTrue(f.await(10, TimeUnit.SECONDS));
        assertInstanceOf(java.io.IOException.class, f.cause());
    }

    @Test
    void callersCannotCompleteTheFuture() {
        ScheduledFuture<?> f = loop.schedule(() -> {}, 10, TimeUnit.MINUTES);
        @SuppressWarnings("unchecked")
        Promise<Object> p = (Promise<Object>) f;
        assertThrows(IllegalStateException.class, () -> p.setSuccess(null));
        assertFalse(p.trySuccess(null));
        assertThrows(IllegalStateException.class, () -> p.setFailure(new Exception()));
        assertFalse(p.tryFailure(new Exception()));
        assertThrows(IllegalStateException.class, p::setUncancellable);
        assertFalse(f.isDone());
        f.cancel(false);
    }

    @Test
    void awaitOnTheLoopThreadIsADeadlock() throws Exception {
        ScheduledFuture<?> f = loop.schedule(() -> {}, 10, TimeUnit.MINUTES);
        Future<?> attempt = loop.submit(() -> {
            f.await();
            return null;
        });
        assertTrue(attempt.await(10, TimeUnit.SECONDS));
        assertInstanceOf(BlockingOperationException.class, attempt.cause());
        f.cancel(false);
    }

    @Test
    void badArgumentsAreRejectedWithTheirNames() {
        Runnable task = () -> {};
        NullPointerException npe =
                assertThrows(NullPointerException.class, () -> loop.schedule((Runnable) null, 1, TimeUnit.SECONDS));
        assertEquals("command", npe.getMessage());
        npe = assertThrows(NullPointerException.class, () -> loop.schedule(task, 1, null));
        assertEquals("unit", npe.getMessage());
        npe = assertThrows(
                NullPointerException.class,
                () -> loop.schedule((java.util.concurrent.Callable<?>) null, 1, TimeUnit.SECONDS));
        assertEquals("callable", npe.getMessage());
        assertThrows(IllegalArgumentException.class, () -> loop.scheduleAtFixedRate(task, 0, 0, TimeUnit.SECONDS));
        assertThrows(IllegalArgumentException.class, () -> loop.scheduleAtFixedRate(task, -1, 1, TimeUnit.SECONDS));
        assertThrows(IllegalArgumentException.class, () -> loop.scheduleWithFixedDelay(task, 0, -1, TimeUnit.SECONDS));
        assertThrows(IllegalArgumentException.class, () -> loop.scheduleWithFixedDelay(task, -1, 1, TimeUnit.SECONDS));
        assertEquals(0, loop.timers().stats().pendingTimers(), "nothing armed by a rejected call");
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A listener that records the future it saw and whether it ran on the loop. */
    private final class CompletableListener<T> implements io.netty.util.concurrent.GenericFutureListener<Future<T>> {
        private final CountDownLatch done = new CountDownLatch(1);
        volatile Future<T> future;
        volatile boolean onLoop;

        @Override
        public void operationComplete(Future<T> f) {
            future = f;
            onLoop = loop.inEventLoop();
            done.countDown();
        }

        void await() throws InterruptedException {
            assertTrue(done.await(10, TimeUnit.SECONDS), "listener not notified");
        }
    }
}
