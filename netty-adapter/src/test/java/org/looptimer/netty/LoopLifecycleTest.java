package org.looptimer.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.local.LocalIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.AutoScalingEventExecutorChooserFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.looptimer.core.TimerHandle;
import org.looptimer.core.Timers;

/** Starting, suspending, resuming and shutting down a {@link TimerEventLoop}, and {@link LoopTimers}. */
class LoopLifecycleTest {

    private TimerEventLoopGroup group;

    @AfterEach
    void stop() {
        Loops.shutdown(group);
    }

    // ------------------------------------------------------------------------------------------
    // Construction and lookup
    // ------------------------------------------------------------------------------------------

    @Test
    void everyConstructorMakesTimerEventLoopsEachWithItsOwnHeap() {
        AtomicInteger threads = new AtomicInteger();
        ThreadFactory factory = r -> new Thread(r, "custom-" + threads.incrementAndGet());
        TimerEventLoopGroup[] groups = {
            new TimerEventLoopGroup(LocalIoHandler.newFactory()),
            new TimerEventLoopGroup(2, LocalIoHandler.newFactory()),
            new TimerEventLoopGroup(2, factory, LocalIoHandler.newFactory()),
            new TimerEventLoopGroup(2, (Executor) null, LocalIoHandler.newFactory()),
        };
        try {
            for (TimerEventLoopGroup g : groups) {
                Set<Timers> heaps = new HashSet<>();
                for (EventExecutor e : g) {
                    TimerEventLoop loop = (TimerEventLoop) e;
                    assertSame(loop.timers(), LoopTimers.of(loop));
                    heaps.add(loop.timers());
                }
                assertTrue(heaps.size() >= 2, "one heap per loop");
                assertSame(TimerEventLoop.class, g.next().getClass());
            }
            assertTrue(groups[2]
                    .next()
                    .submit(() -> Thread.currentThread().getName())
                    .syncUninterruptibly()
                    .getNow()
                    .startsWith("custom-"));
        } finally {
            for (TimerEventLoopGroup g : groups) {
                Loops.shutdown(g);
            }
        }
    }

    @Test
    void loopTimersRejectsOtherExecutorsSayingWhatToDo() {
        NullPointerException npe = assertThrows(NullPointerException.class, () -> LoopTimers.of(null));
        assertEquals("executor", npe.getMessage());
        IllegalArgumentException immediate =
                assertThrows(IllegalArgumentException.class, () -> LoopTimers.of(ImmediateEventExecutor.INSTANCE));
        assertTrue(immediate.getMessage().contains("new TimerEventLoopGroup("), immediate.getMessage());
        MultiThreadIoEventLoopGroup stock = new MultiThreadIoEventLoopGroup(1, LocalIoHandler.newFactory());
        try {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> LoopTimers.of(stock.next()));
            assertTrue(e.getMessage().contains("SingleThreadIoEventLoop"), e.getMessage());
            assertTrue(e.getMessage().contains("LoopTimers.schedule(executor"), e.getMessage());
        } finally {
            Loops.shutdown(stock);
        }
    }

    // ------------------------------------------------------------------------------------------
    // Lazy start and suspension
    // ------------------------------------------------------------------------------------------

    // The timer's latch shows it ran.
    @SuppressWarnings("FutureReturnValueIgnored")
    @Test
    void foreignScheduleStartsALoopThatNeverRan() throws Exception {
        group = new TimerEventLoopGroup(1, NioIoHandler.newFactory());
        CountDownLatch ran = new CountDownLatch(1);
        group.next().schedule(ran::countDown, 10, TimeUnit.MILLISECONDS);
        assertTrue(ran.await(10, TimeUnit.SECONDS));
    }

    @Test
    void timerArmedDirectlyInTheHeapStartsALoopThatNeverRan() throws Exception {
        group = new TimerEventLoopGroup(1, NioIoHandler.newFactory());
        CountDownLatch ran = new CountDownLatch(1);
        LoopTimers.of(group.next()).schedule(ran::countDown, 10, TimeUnit.MILLISECONDS);
        assertTrue(ran.await(10, TimeUnit.SECONDS));
    }

    // Each timer's latch shows it ran.
    @SuppressWarnings("FutureReturnValueIgnored")
    @Test
    void loopDoesNotSuspendWhilePendingTimersAndResumesForNewOnes() throws Exception {
        ThreadCountingExecutor executor = new ThreadCountingExecutor();
        group = new TimerEventLoopGroup(
                1,
                executor,
                new AutoScalingEventExecutorChooserFactory(0, 1, 1, TimeUnit.HOURS, 0.1, 0.9, 1, 1, 0),
                NioIoHandler.newFactory());
        TimerEventLoop loop = group.next();
        loop.submit(() -> {}).sync();
        assertEquals(1, executor.started.get());

        // Asked to suspend while a timer is pending: it keeps its thread and runs the timer.
        CountDownLatch pendingRan = new CountDownLatch(1);
        loop.schedule(pendingRan::countDown, 200, TimeUnit.MILLISECONDS);
        assertTrue(loop.trySuspend());
        assertTrue(pendingRan.await(10, TimeUnit.SECONDS), "a suspended loop dropped its pending timer");
        assertEquals(1, executor.started.get(), "the loop kept its thread while a timer was pending");

        // Nothing pending now: it suspends, its thread ends.
        Loops.await("loop suspended", () -> loop.isSuspended() && executor.running.get() == 0);

        // A foreign schedule resumes it, through the Netty API or the heap directly.
        CountDownLatch viaSchedule = new CountDownLatch(1);
        loop.schedule(viaSchedule::countDown, 10, TimeUnit.MILLISECONDS);
        assertTrue(viaSchedule.await(10, TimeUnit.SECONDS), "schedule did not resume the loop");
        assertEquals(2, executor.started.get());
        assertTrue(loop.trySuspend());
        Loops.await("loop suspended again", () -> loop.isSuspended() && executor.running.get() == 0);
        CountDownLatch viaHeap = new CountDownLatch(1);
        loop.timers().schedule(viaHeap::countDown, 10, TimeUnit.MILLISECONDS);
        assertTrue(viaHeap.await(10, TimeUnit.SECONDS), "a heap timer did not resume the loop");
        assertEquals(3, executor.started.get());
    }

    // ------------------------------------------------------------------------------------------
    // Shutdown
    // ------------------------------------------------------------------------------------------

    @Test
    void shutdownCancelsPendingTimersAndRejectsLaterSchedules() throws Exception {
        group = new TimerEventLoopGroup(1, NioIoHandler.newFactory());
        TimerEventLoop loop = group.next();
        AtomicBoolean anyRan = new AtomicBoolean();
        ScheduledFuture<?> oneShot = loop.schedule(() -> anyRan.set(true), 10, TimeUnit.MINUTES);
        ScheduledFuture<?> soon = loop.schedule(() -> anyRan.set(true), 100, TimeUnit.MILLISECONDS);
        ScheduledFuture<?> periodic = loop.scheduleAtFixedRate(() -> anyRan.set(true), 1, 1, TimeUnit.MINUTES);
        TimerHandle direct = loop.timers().schedule(() -> anyRan.set(true), 10, TimeUnit.MINUTES);
        CountDownLatch listenerSawCancel = new CountDownLatch(1);
        oneShot.addListener(f -> {
            if (f.isCancelled()) {
                listenerSawCancel.countDown();
            }
        });

        assertTrue(group.shutdownGracefully(0, 5, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS));
        assertTrue(loop.isTerminated());

        assertTrue(oneShot.isCancelled());
        assertTrue(soon.isCancelled());
        assertTrue(periodic.isCancelled());
        assertTrue(listenerSawCancel.await(10, TimeUnit.SECONDS));
        assertFalse(direct.isPending());
        assertTrue(loop.timers().isClosed());
        assertEquals(0, loop.timers().stats().pendingTimers());
        assertFalse(anyRan.get(), "no timer runs once the loop shut down");

        assertThrows(RejectedExecutionException.class, () -> loop.schedule(() -> {}, 1, TimeUnit.SECONDS));
        assertThrows(RejectedExecutionException.class, () -> loop.schedule(() -> 1, 1, TimeUnit.SECONDS));
        assertThrows(
                RejectedExecutionException.class, () -> loop.scheduleAtFixedRate(() -> {}, 1, 1, TimeUnit.SECONDS));
        assertThrows(
                RejectedExecutionException.class, () -> loop.scheduleWithFixedDelay(() -> {}, 1, 1, TimeUnit.SECONDS));
        assertThrows(RejectedExecutionException.class, () -> loop.timers().schedule(() -> {}, 1, TimeUnit.SECONDS));
    }

    // Nested on purpose: the loop schedules, and submit hands its future back.
    @SuppressWarnings("FutureReturnValueIgnored")
    @Test
    void whileShuttingDownForeignSchedulesAreRejectedAndTheLoopsOwnAreCancelled() throws Exception {
        group = new TimerEventLoopGroup(1, NioIoHandler.newFactory());
        TimerEventLoop loop = group.next();
        loop.submit(() -> {}).sync();
        // A long quiet period keeps the loop shutting down (and running tasks) for the test.
        Future<?> terminated = loop.shutdownGracefully(2, 10, TimeUnit.SECONDS);
        assertTrue(loop.isShuttingDown());
        RejectedExecutionException e =
                assertThrows(RejectedExecutionException.class, () -> loop.schedule(() -> {}, 1, TimeUnit.SECONDS));
        assertTrue(e.getMessage().contains("shutting down"), e.getMessage());
        ScheduledFuture<?> fromLoop = loop.submit(() -> loop.schedule(() -> {}, 1, TimeUnit.MILLISECONDS))
                .get(10, TimeUnit.SECONDS);
        assertTrue(fromLoop.isCancelled(), "a handler scheduling during shutdown gets a cancelled future");
        assertTrue(terminated.await(15, TimeUnit.SECONDS));
    }

    @Test
    void shutdownOfALoopThatNeverRanCancelsItsTimers() throws Exception {
        group = new TimerEventLoopGroup(1, NioIoHandler.newFactory());
        TimerEventLoop loop = group.next();
        ScheduledFuture<?> never = loop.schedule(() -> {}, Long.MAX_VALUE, TimeUnit.NANOSECONDS);
        assertTrue(group.shutdownGracefully(0, 5, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS));
        assertTrue(never.isCancelled());
    }

    /** Runs each loop on a new thread and counts the threads started and still running. */
    private static final class ThreadCountingExecutor implements Executor {
        final AtomicInteger started = new AtomicInteger();
        final AtomicInteger running = new AtomicInteger();

        @Override
        public void execute(Runnable command) {
            started.incrementAndGet();
            running.incrementAndGet();
            Thread t = new Thread(
                    () -> {
                        try {
                            command.run();
                        } finally {
                            running.decrementAndGet();
                        }
                    },
                    "counted-loop-" + started.get());
            t.setDaemon(true);
            t.start();
        }
    }
}
