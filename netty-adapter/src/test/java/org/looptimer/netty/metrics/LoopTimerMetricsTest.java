package org.looptimer.netty.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.local.LocalIoHandler;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.looptimer.netty.TimerEventLoop;
import org.looptimer.netty.TimerEventLoopGroup;

/** {@link LoopTimerMetrics} in a {@link SimpleMeterRegistry}: every meter, per loop. */
class LoopTimerMetricsTest {

    private final TimerEventLoopGroup group = new TimerEventLoopGroup(2, LocalIoHandler.newFactory());
    private final MeterRegistry registry = new SimpleMeterRegistry();

    @AfterEach
    void stop() throws InterruptedException {
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
    }

    @Test
    void everyMeterIsTaggedWithItsLoopAndFollowsTheHeap() {
        new LoopTimerMetrics(group).bindTo(registry);
        TimerEventLoop first = group.next();
        TimerEventLoop second = group.next();
        String firstLoop = indexOf(first);
        AtomicInteger ran = new AtomicInteger();
        first.timers().schedule(ran::incrementAndGet, 0, TimeUnit.NANOSECONDS);
        first.timers()
                .schedule(
                        () -> {
                            ran.incrementAndGet();
                            throw new IllegalStateException("expected by the test: counted as failed");
                        },
                        0,
                        TimeUnit.NANOSECONDS);
        first.timers().schedule(ran::incrementAndGet, 1, TimeUnit.HOURS);
        second.timers().schedule(ran::incrementAndGet, 1, TimeUnit.HOURS);

        await(() -> registry.get("looptimer.timers.fired")
                        .tag("loop", firstLoop)
                        .functionCounter()
                        .count()
                == 2);
        assertEquals(1.0, gauge("looptimer.timers.pending", firstLoop));
        assertEquals(1.0, gauge("looptimer.timers.pending", indexOf(second)));
        assertEquals(
                1.0,
                registry.get("looptimer.timers.failed")
                        .tag("loop", firstLoop)
                        .functionCounter()
                        .count());
        assertEquals(
                0.0,
                registry.get("looptimer.timers.leaked")
                        .tag("loop", firstLoop)
                        .functionCounter()
                        .count());
        double requested = registry.get("looptimer.wakeups")
                .tags("loop", firstLoop, "result", "requested")
                .functionCounter()
                .count();
        double elided = registry.get("looptimer.wakeups")
                .tags("loop", firstLoop, "result", "elided")
                .functionCounter()
                .count();
        assertEquals(3.0, requested + elided, "each foreign schedule either woke the loop or did not need to");
        for (String phi : new String[] {"0.5", "0.9", "0.99", "0.999"}) {
            double seconds = registry.get("looptimer.timers.lateness")
                    .tags("loop", firstLoop, "phi", phi)
                    .timeGauge()
                    .value(TimeUnit.SECONDS);
            assertTrue(seconds >= 0 && seconds < 10, phi + ": " + seconds);
        }
        double max = registry.get("looptimer.timers.lateness.max")
                .tag("loop", firstLoop)
                .timeGauge()
                .value(TimeUnit.NANOSECONDS);
        assertEquals((double) first.timers().stats().lateness().maxNanos(), max, 1e-3);
    }

    @Test
    void nullsNameThemselves() {
        NullPointerException e = assertThrows(NullPointerException.class, () -> new LoopTimerMetrics(null));
        assertEquals("group", e.getMessage());
        assertThrows(NullPointerException.class, () -> new LoopTimerMetrics(group).bindTo(null));
    }

    private double gauge(String name, String loop) {
        return registry.get(name).tag("loop", loop).gauge().value();
    }

    private String indexOf(TimerEventLoop loop) {
        int i = 0;
        for (var e : group) {
            if (e == loop) {
                return Integer.toString(i);
            }
            i++;
        }
        throw new AssertionError(loop + " is not in the group");
    }

    private static void await(java.util.function.BooleanSupplier condition) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() - end < 0, "not within 10 s");
            Thread.onSpinWait();
        }
    }
}
