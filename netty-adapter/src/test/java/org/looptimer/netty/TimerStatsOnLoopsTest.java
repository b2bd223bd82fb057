package org.looptimer.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.local.LocalIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.looptimer.core.TimerStats;

/** {@link TimerEventLoopGroup#stats()} and the system properties every loop of a group takes. */
class TimerStatsOnLoopsTest {

    private TimerEventLoopGroup group;

    @AfterEach
    void stop() {
        System.clearProperty(LoopProperties.MAX_TIMERS);
        System.clearProperty(LoopProperties.SLACK);
        Loops.shutdown(group);
    }

    @Test
    void groupStatsSumEveryLoop() {
        group = new TimerEventLoopGroup(2, LocalIoHandler.newFactory());
        TimerEventLoop a = group.next();
        TimerEventLoop b = group.next();
        AtomicInteger fired = new AtomicInteger();
        a.timers().schedule(fired::incrementAndGet, 0, TimeUnit.NANOSECONDS);
        a.timers().schedule(fired::incrementAndGet, 1, TimeUnit.HOURS);
        b.timers().schedule(fired::incrementAndGet, 0, TimeUnit.NANOSECONDS);
        b.timers().schedule(fired::incrementAndGet, 1, TimeUnit.HOURS);
        b.timers().schedule(fired::incrementAndGet, 2, TimeUnit.HOURS);

        Loops.await("both due timers ran", () -> fired.get() == 2);
        Loops.await("the stats caught up", () -> group.stats().timersFired() == 2);
        TimerStats sum = group.stats();
        assertEquals(3, sum.pendingTimers(), sum.toString());
        assertEquals(2, sum.lateness().count());
        assertEquals(a.timers().stats().pendingTimers() + b.timers().stats().pendingTimers(), sum.pendingTimers());
    }

    @Test
    void maxTimersPropertyLimitsEveryLoopAndNettySchedulesFailTheirFuture() {
        System.setProperty(LoopProperties.MAX_TIMERS, "2");
        group = new TimerEventLoopGroup(2, LocalIoHandler.newFactory());
        for (int i = 0; i < 2; i++) {
            TimerEventLoop loop = group.next();
            loop.timers().schedule(() -> {}, 1, TimeUnit.HOURS);
            ScheduledFuture<?> accepted = loop.schedule(() -> {}, 1, TimeUnit.HOURS);
            assertTrue(!accepted.isDone(), "the second one fits");
            RejectedExecutionException direct = assertThrows(
                    RejectedExecutionException.class, () -> loop.timers().schedule(() -> {}, 1, TimeUnit.HOURS));
            assertTrue(direct.getMessage().contains("maxTimers=2, pending=2"), direct.getMessage());

            ScheduledFuture<?> netty = loop.schedule(() -> {}, 1, TimeUnit.HOURS);
            assertTrue(netty.isDone() && !netty.isSuccess());
            assertTrue(netty.cause() instanceof RejectedExecutionException, String.valueOf(netty.cause()));
            assertTrue(netty.cause().getMessage().contains("maxTimers=2, pending=2"));
        }
        assertEquals(4, group.stats().pendingTimers());
    }

    @Test
    void badPropertiesNameThemselves() {
        System.setProperty(LoopProperties.MAX_TIMERS, "lots");
        // Netty wraps what a loop's constructor throws.
        IllegalStateException e =
                assertThrows(IllegalStateException.class, () -> new TimerEventLoopGroup(1, NioIoHandler.newFactory()));
        assertTrue(e.getCause() instanceof IllegalArgumentException, String.valueOf(e.getCause()));
        assertTrue(
                e.getCause().getMessage().contains("looptimer.maxTimers"),
                e.getCause().getMessage());
        System.clearProperty(LoopProperties.MAX_TIMERS);

        assertEquals(TimeUnit.MILLISECONDS.toNanos(10), LoopProperties.parseNanos(LoopProperties.SLACK, "10ms"));
        assertEquals(500_000, LoopProperties.parseNanos(LoopProperties.SLACK, " 500us "));
        assertEquals(2_000_000_000L, LoopProperties.parseNanos(LoopProperties.SLACK, "2s"));
        IllegalArgumentException slack = assertThrows(
                IllegalArgumentException.class, () -> LoopProperties.parseNanos(LoopProperties.SLACK, "10"));
        assertTrue(slack.getMessage().contains("looptimer.slack"), slack.getMessage());
    }

    @Test
    void slackPropertyLetsTheLoopRunTimersLateButNeverEarly() {
        System.setProperty(LoopProperties.SLACK, "20ms");
        group = new TimerEventLoopGroup(1, LocalIoHandler.newFactory());
        TimerEventLoop loop = group.next();
        AtomicInteger early = new AtomicInteger();
        AtomicInteger fired = new AtomicInteger();
        for (int i = 0; i < 20; i++) {
            long deadline = loop.ticker().nanoTime() + TimeUnit.MILLISECONDS.toNanos(i);
            loop.timers()
                    .scheduleAt(
                            () -> {
                                if (loop.ticker().nanoTime() - deadline < 0) {
                                    early.incrementAndGet();
                                }
                                fired.incrementAndGet();
                            },
                            deadline);
        }
        Loops.await("all ran", () -> fired.get() == 20);
        assertEquals(0, early.get());
    }
}
