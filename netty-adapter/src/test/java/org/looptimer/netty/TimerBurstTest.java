package org.looptimer.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.nio.NioIoHandler;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.looptimer.core.Timers;

/** A million timers due at once are run in batches between polls: they do not starve tasks or I/O. */
class TimerBurstTest {

    private static final int TIMERS = 1_000_000;

    private TimerEventLoopGroup group;

    @AfterEach
    void stop() {
        Loops.shutdown(group);
    }

    @Test
    void millionDueTimersInterleaveWithTasksAndPolls() throws Exception {
        CountingIoHandlerFactory counting = new CountingIoHandlerFactory(NioIoHandler.newFactory());
        group = new TimerEventLoopGroup(1, counting);
        TimerEventLoop loop = group.next();
        Timers heap = loop.timers();
        AtomicInteger fired = new AtomicInteger();
        AtomicInteger firedWhenTaskRan = new AtomicInteger(-1);
        AtomicLong pollsAtStart = new AtomicLong();
        Runnable count = fired::incrementAndGet;

        loop.submit(() -> {
                    pollsAtStart.set(counting.polls.get());
                    // Equal deadlines run in arming order: this one first. The task it submits must run
                    // at the end of the first batch, not after the million.
                    heap.schedule(() -> loop.execute(() -> firedWhenTaskRan.set(fired.get())), 0, TimeUnit.NANOSECONDS);
                    for (int i = 0; i < TIMERS; i++) {
                        heap.schedule(count, 0, TimeUnit.NANOSECONDS);
                    }
                })
                .sync();

        Loops.await("all timers fired", () -> fired.get() == TIMERS);
        assertTrue(firedWhenTaskRan.get() >= 0, "the task ran");
        assertTrue(
                firedWhenTaskRan.get() < TimerEventLoop.TIMER_BATCH,
                "timers run before the task: " + firedWhenTaskRan.get());
        long polls = loop.submit(counting.polls::get).get(10, TimeUnit.SECONDS) - pollsAtStart.get();
        assertTrue(
                polls >= TIMERS / TimerEventLoop.TIMER_BATCH,
                "an I/O poll between batches: " + polls + " polls for " + TIMERS + " timers");
        assertEquals(0, loop.timers().stats().pendingTimers());
    }
}
