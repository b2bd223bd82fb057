package org.looptimer.netty.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.local.LocalIoHandler;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.looptimer.core.TimerHeap;
import org.looptimer.netty.LoopTimers;
import org.looptimer.netty.TimerEventLoop;
import org.looptimer.netty.TimerEventLoopGroup;

/** {@link HandlerTimer}'s two ways of being rejected: a full heap throws, a closing loop is a no-op. */
class HandlerTimerTest {

    @Test
    void aFullHeapThrowsWhileTheLoopRuns() {
        TimerHeap heap = TimerHeap.builder().maxTimers(1).build();
        HandlerTimer.Scheduler intoHeap = (executor, task, deadline) -> heap.scheduleAt(task, deadline);
        HandlerTimer first = new HandlerTimer(() -> {}, intoHeap);
        HandlerTimer second = new HandlerTimer(() -> {}, intoHeap);
        first.bind(ImmediateEventExecutor.INSTANCE);
        second.bind(ImmediateEventExecutor.INSTANCE);
        first.armAt(Long.MAX_VALUE - 1);
        assertThrows(RejectedExecutionException.class, () -> second.armAt(Long.MAX_VALUE - 1));
        first.stop();
        second.armAt(Long.MAX_VALUE - 1); // room again
        assertEquals(1, heap.stats().pendingTimers());
    }

    @Test
    void onALoopThatIsShuttingDownArmingIsANoOp() throws Exception {
        TimerEventLoopGroup group = new TimerEventLoopGroup(1, LocalIoHandler.newFactory());
        TimerEventLoop loop = group.next();
        AtomicInteger ran = new AtomicInteger();
        HandlerTimer armedBefore = new HandlerTimer(ran::incrementAndGet, HandlerTimer.LOOP_TIMERS);
        HandlerTimer armedAfter = new HandlerTimer(ran::incrementAndGet, HandlerTimer.LOOP_TIMERS);
        loop.submit(() -> {
                    armedBefore.bind(loop);
                    armedBefore.armAt(loop.ticker().nanoTime() + TimeUnit.HOURS.toNanos(1));
                })
                .sync();
        CompletableFuture<Throwable> inHook = new CompletableFuture<>();
        loop.submit(() -> loop.addShutdownHook(() -> {
                    // Shutdown hooks run after the loop closed its heap: both a re-arm of an existing
                    // handle and a first arming are rejected there, and must not throw.
                    try {
                        assertTrue(LoopTimers.of(loop).isClosed(), "the heap closes before the hooks run");
                        long now = loop.ticker().nanoTime();
                        armedBefore.armAt(now);
                        armedAfter.bind(loop);
                        armedAfter.armAt(now);
                        inHook.complete(null);
                    } catch (Throwable t) {
                        inHook.complete(t);
                    }
                }))
                .sync();
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
        Throwable failure = inHook.get(10, TimeUnit.SECONDS);
        if (failure != null) {
            throw new AssertionError("arming on a closing loop threw", failure);
        }
        assertEquals(0, ran.get());
        assertFalse(LoopTimers.of(loop).stats().pendingTimers() > 0);
    }
}
