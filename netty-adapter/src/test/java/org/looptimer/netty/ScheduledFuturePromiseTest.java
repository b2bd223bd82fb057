package org.looptimer.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GenericFutureListener;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The promise half of a Netty-API {@link ScheduledFuture} on a {@link TimerEventLoop}, which is
 * built only when someone listens, awaits or syncs: it must behave as Netty's own promise whether it
 * is built before, during or after the task runs.
 */
class ScheduledFuturePromiseTest {

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

    /** Records which listeners ran, in order, with the future they saw and the thread. */
    private final class Recorder {
        final List<String> calls = new CopyOnWriteArrayList<>();

        GenericFutureListener<Future<Object>> listener(String name, ScheduledFuture<?> expected) {
            return f -> {
                assertSame(expected, f, "listeners receive the scheduled future itself");
                calls.add(name + (loop.inEventLoop() ? "@loop" : "@elsewhere"));
            };
        }
    }

    @Test
    void listenersAddedBeforeDuringAndAfterCompletionRunOnTheLoopInOrder() throws Exception {
        ScheduledFuture<Object> f = loop.schedule(() -> "v", 20, TimeUnit.MILLISECONDS);
        Recorder rec = new Recorder();
        f.addListener(rec.listener("a", f));
        f.addListener(future -> {
            rec.calls.add("b");
            f.addListener(rec.listener("c", f)); // added while listeners run: runs after them
        });
        f.addListener(rec.listener("d", f));
        assertEquals("v", f.get(10, TimeUnit.SECONDS));
        // get() returns once the outcome is set, maybe before the listeners have run: wait for them
        Loops.await("the listeners added before completion", () -> rec.calls.size() == 4);
        f.addListener(rec.listener("late", f));
        Loops.await("the late listener", () -> rec.calls.size() == 5);
        assertEquals(List.of("a@loop", "b", "d@loop", "c@loop", "late@loop"), rec.calls);
    }

    @Test
    void aRemovedListenerIsNotNotified() throws Exception {
        ScheduledFuture<?> f = loop.schedule(() -> {}, 20, TimeUnit.MILLISECONDS);
        Recorder rec = new Recorder();
        GenericFutureListener<Future<Object>> removed = rec.listener("removed", f);
        f.addListener(removed);
        f.addListener(rec.listener("kept", f));
        f.removeListener(removed);
        f.sync();
        Loops.await("the kept listener", () -> !rec.calls.isEmpty());
        loop.submit(() -> {}).sync(); // any other notification would have run by now
        assertEquals(List.of("kept@loop"), rec.calls);
        assertThrows(NullPointerException.class, () -> f.addListener(null));
    }

    @Test
    void aCompletedFutureAnswersWithoutWaiting() throws Exception {
        ScheduledFuture<String> f = loop.schedule(() -> "done", 0, TimeUnit.MILLISECONDS);
        Loops.await("completion", f::isDone);
        assertTrue(f.isSuccess());
        assertFalse(f.isCancellable());
        assertEquals("done", f.getNow());
        assertEquals("done", f.get());
        assertEquals("done", f.get(0, TimeUnit.SECONDS));
        assertSame(f, f.sync());
        assertSame(f, f.syncUninterruptibly());
        assertSame(f, f.await());
        assertTrue(f.await(0, TimeUnit.SECONDS));
        assertTrue(f.awaitUninterruptibly(0));
        assertNull(f.cause());
        // await on the loop thread is no deadlock once the future is done
        assertTrue(loop.submit(() -> f.await().isDone()).get(10, TimeUnit.SECONDS));
    }

    @Test
    void aFailureIsRethrownBySyncAndWrappedByGet() throws Exception {
        ScheduledFuture<Object> f = loop.schedule(
                () -> {
                    throw new IOException("disk");
                },
                0,
                TimeUnit.MILLISECONDS);
        Loops.await("completion", f::isDone);
        assertFalse(f.isSuccess());
        assertInstanceOf(IOException.class, f.cause());
        assertThrows(IOException.class, f::sync);
        assertThrows(IOException.class, f::syncUninterruptibly);
        ExecutionException e = assertThrows(ExecutionException.class, f::get);
        assertSame(f.cause(), e.getCause());
        assertNull(f.getNow());
    }

    @Test
    void aCancelledFutureReportsOneCancellationEverywhere() throws Exception {
        ScheduledFuture<?> f = loop.schedule(() -> {}, 10, TimeUnit.MINUTES);
        assertTrue(f.isCancellable());
        assertTrue(f.cancel(false));
        assertTrue(f.isDone());
        assertFalse(f.isCancellable());
        assertFalse(f.isSuccess());
        Throwable cause = f.cause();
        assertInstanceOf(CancellationException.class, cause);
        assertSame(cause, f.cause(), "the same cause on every call");
        assertThrows(CancellationException.class, f::get);
        assertThrows(CancellationException.class, f::sync);
        assertTrue(f.await(0, TimeUnit.SECONDS));
        Recorder rec = new Recorder();
        f.addListener(rec.listener("late", f));
        Loops.await("the late listener", () -> !rec.calls.isEmpty());
        assertEquals(List.of("late@loop"), rec.calls);
    }

    @Test
    void getAndAwaitOnAPendingFutureTimeOut() throws Exception {
        ScheduledFuture<?> f = loop.schedule(() -> {}, 10, TimeUnit.MINUTES);
        assertThrows(TimeoutException.class, () -> f.get(1, TimeUnit.MILLISECONDS));
        assertFalse(f.await(1, TimeUnit.MILLISECONDS));
        assertFalse(f.awaitUninterruptibly(1));
        assertFalse(f.isDone());
        assertTrue(f.cancel(false), "a waiter leaves the future cancellable");
    }

    // Nested on purpose: the loop schedules, and submit hands its future back.
    @SuppressWarnings("FutureReturnValueIgnored")
    @Test
    void aRunningOneShotTaskCannotBeCancelled() throws Exception {
        AtomicReference<ScheduledFuture<?>> self = new AtomicReference<>();
        AtomicReference<String> seen = new AtomicReference<>();
        ScheduledFuture<?> f = loop.submit(() -> {
                    ScheduledFuture<?> scheduled = loop.schedule(
                            () -> {
                                ScheduledFuture<?> me = self.get();
                                seen.set(me.isCancellable() + " " + me.cancel(false) + " " + me.isDone());
                            },
                            1,
                            TimeUnit.MILLISECONDS);
                    self.set(scheduled); // on the loop: before the task can run
                    return scheduled;
                })
                .get(10, TimeUnit.SECONDS);
        f.sync();
        assertEquals("false false false", seen.get());
        assertTrue(f.isSuccess());
    }

    /**
     * Cancel from another thread racing the run, with and without a promise: exactly one wins,
     * the future tells which, listeners hear it once, and a cancelled task never runs.
     */
    @Test
    void cancelRacingTheRunHasExactlyOneWinner() throws Exception {
        for (int i = 0; i < 2_000; i++) {
            AtomicBoolean ran = new AtomicBoolean();
            ScheduledFuture<?> f = loop.schedule(() -> ran.set(true), 0, TimeUnit.NANOSECONDS);
            AtomicInteger heard = new AtomicInteger();
            AtomicBoolean heardCancelled = new AtomicBoolean();
            if (i % 2 == 1) {
                f.addListener(future -> {
                    heardCancelled.set(future.isCancelled()); // before the count the test waits for
                    heard.incrementAndGet();
                });
            }
            for (int spin = ThreadLocalRandom.current().nextInt(2_000); spin > 0; spin--) {
                Thread.onSpinWait();
            }
            boolean cancelled = f.cancel(false);
            assertTrue(f.await(10, TimeUnit.SECONDS));
            loop.schedule(() -> {}, 1, TimeUnit.MILLISECONDS).sync(); // due after f: f ran by now if it could
            assertTrue(cancelled != ran.get(), "iteration " + i + ": cancelled " + cancelled + ", ran " + ran);
            assertEquals(cancelled, f.isCancelled(), "iteration " + i);
            assertEquals(!cancelled, f.isSuccess(), "iteration " + i);
            if (i % 2 == 1) {
                int n = i;
                Loops.await("the listener, iteration " + n, () -> heard.get() == 1);
                assertEquals(cancelled, heardCancelled.get(), "iteration " + i);
            }
        }
        assertEquals(0, loop.timers().stats().pendingTimers());
    }

    @Test
    void aPeriodicTaskCancelledFromAnotherThreadTellsItsListenersAndStops() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        ScheduledFuture<?> f = loop.scheduleAtFixedRate(runs::incrementAndGet, 0, 1, TimeUnit.MILLISECONDS);
        Recorder rec = new Recorder();
        f.addListener(rec.listener("cancelled", f));
        Loops.await("three runs", () -> runs.get() >= 3);
        assertTrue(f.cancel(false));
        assertFalse(f.cancel(false));
        Loops.await("the listener", () -> !rec.calls.isEmpty());
        assertEquals(List.of("cancelled@loop"), rec.calls);
        int atCancel = loop.submit(runs::get).get(10, TimeUnit.SECONDS);
        loop.schedule(() -> {}, 5, TimeUnit.MILLISECONDS).sync();
        assertEquals(atCancel, runs.get(), "no run after the cancel was seen on the loop");
        assertEquals(0, loop.timers().stats().pendingTimers());
    }

    @Test
    void aPeriodicFailureReachesAListenerAddedBefore() throws Exception {
        IllegalStateException boom = new IllegalStateException("boom");
        AtomicInteger runs = new AtomicInteger();
        ScheduledFuture<?> f = loop.scheduleWithFixedDelay(
                () -> {
                    if (runs.incrementAndGet() == 3) {
                        throw boom;
                    }
                },
                1,
                1,
                TimeUnit.MILLISECONDS);
        AtomicReference<Throwable> heard = new AtomicReference<>();
        f.addListener(future -> heard.set(future.cause()));
        Loops.await("the listener", () -> heard.get() != null);
        assertSame(boom, heard.get());
        assertSame(boom, f.cause());
        assertEquals(3, runs.get());
    }
}
