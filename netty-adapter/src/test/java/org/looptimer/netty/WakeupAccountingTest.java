package org.looptimer.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.IoEventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SingleThreadIoEventLoop;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.looptimer.core.TimerStats;

/**
 * Deadline-aware wake-ups (Go's wakeNetPoller), counted by the loop's own counters and by a
 * counting {@code IoHandler} wrapper that sees every {@code wakeup()} call, stock or ours.
 *
 * <p>Scene: the loop sleeps toward a 2 s deadline; another thread schedules 200 tasks 10 s out.
 */
class WakeupAccountingTest {

    private static final int FOREIGN_SCHEDULES = 200;

    private MultiThreadIoEventLoopGroup group;

    @AfterEach
    void stop() {
        Loops.shutdown(group);
    }

    // The early task's latch shows it ran.
    @SuppressWarnings("FutureReturnValueIgnored")
    @Test
    void laterForeignSchedulesCostNoWakeupAndAnEarlierOneWakesTheLoopOnTime() throws Exception {
        CountingIoHandlerFactory counting = new CountingIoHandlerFactory(NioIoHandler.newFactory());
        group = new TimerEventLoopGroup(1, counting);
        TimerEventLoop loop = (TimerEventLoop) group.next();
        ScheduledFuture<?> twoSeconds = sleepTowardTwoSeconds(loop);

        long wakeupsBefore = counting.wakeups.get();
        long pollsBefore = counting.polls.get();
        TimerStats before = loop.timers().stats();
        List<ScheduledFuture<?>> later = scheduleLater(loop);

        assertEquals(wakeupsBefore, counting.wakeups.get(), "IoHandler.wakeup() calls for later deadlines");
        TimerStats after = loop.timers().stats();
        assertEquals(before.wakeupsRequested(), after.wakeupsRequested());
        assertEquals(before.wakeupsElided() + FOREIGN_SCHEDULES, after.wakeupsElided());
        // Cancelling from another thread is a lazy stop: no wake-up either.
        for (ScheduledFuture<?> f : later) {
            assertTrue(f.cancel(false));
        }
        assertEquals(wakeupsBefore, counting.wakeups.get(), "IoHandler.wakeup() calls for foreign cancels");
        assertTrue(
                counting.polls.get() - pollsBefore <= 2,
                "the loop kept sleeping: " + (counting.polls.get() - pollsBefore) + " polls");

        // Earlier than the deadline the loop sleeps toward: one wake-up, and it runs long before 2 s.
        long deadline = loop.ticker().nanoTime() + TimeUnit.SECONDS.toNanos(2);
        AtomicLong ranAt = new AtomicLong();
        CountDownLatch ran = new CountDownLatch(1);
        loop.schedule(
                () -> {
                    ranAt.set(loop.ticker().nanoTime());
                    ran.countDown();
                },
                50,
                TimeUnit.MILLISECONDS);
        assertTrue(ran.await(10, TimeUnit.SECONDS));
        assertTrue(ranAt.get() < deadline, "the early task waited for the loop's old deadline");
        assertEquals(before.wakeupsRequested() + 1, loop.timers().stats().wakeupsRequested());
        assertEquals(wakeupsBefore + 1, counting.wakeups.get(), "IoHandler.wakeup() calls in total");
        twoSeconds.cancel(false);
    }

    /** The same scene on a stock Netty 4.2.18 group: every foreign schedule wakes the loop. */
    @Test
    void stockNettyWakesTheLoopForEveryForeignSchedule() throws Exception {
        CountingIoHandlerFactory counting = new CountingIoHandlerFactory(NioIoHandler.newFactory());
        group = new MultiThreadIoEventLoopGroup(1, counting);
        IoEventLoop loop = group.next();
        ScheduledFuture<?> twoSeconds = sleepTowardTwoSeconds(loop);

        long wakeupsBefore = counting.wakeups.get();
        List<ScheduledFuture<?>> later = scheduleLater(loop);

        assertTrue(
                counting.wakeups.get() - wakeupsBefore >= FOREIGN_SCHEDULES,
                "stock wake-ups: " + (counting.wakeups.get() - wakeupsBefore));
        later.forEach(f -> f.cancel(false));
        twoSeconds.cancel(false);
    }

    // Nested on purpose: the loop schedules, and submit hands its future back.
    @SuppressWarnings("FutureReturnValueIgnored")
    private static ScheduledFuture<?> sleepTowardTwoSeconds(IoEventLoop loop) throws Exception {
        ScheduledFuture<?> f =
                loop.submit(() -> loop.schedule(() -> {}, 2, TimeUnit.SECONDS)).get(10, TimeUnit.SECONDS);
        Loops.awaitBlockedInPoll((SingleThreadIoEventLoop) loop);
        return f;
    }

    private static List<ScheduledFuture<?>> scheduleLater(IoEventLoop loop) {
        List<ScheduledFuture<?>> later = new ArrayList<>();
        for (int i = 0; i < FOREIGN_SCHEDULES; i++) {
            later.add(loop.schedule(() -> {}, 10, TimeUnit.SECONDS));
        }
        return later;
    }
}
