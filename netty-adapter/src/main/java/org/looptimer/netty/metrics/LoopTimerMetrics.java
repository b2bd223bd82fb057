package org.looptimer.netty.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import org.looptimer.core.TimerStats;
import org.looptimer.core.Timers;
import org.looptimer.netty.TimerEventLoop;
import org.looptimer.netty.TimerEventLoopGroup;

/**
 * Publishes the timers of every loop of a {@link TimerEventLoopGroup} to Micrometer. Each meter is
 * tagged {@code loop} with the loop's index in the group:
 *
 * <pre>
 *   looptimer.timers.pending          gauge    timers armed and not yet run or stopped
 *   looptimer.timers.fired            counter  callbacks run
 *   looptimer.timers.failed           counter  callbacks that threw
 *   looptimer.timers.leaked           counter  pending timers whose handle was dropped (leak detection)
 *   looptimer.wakeups                 counter  tag result=requested|elided: foreign schedules that
 *                                              woke the loop, and those that did not need to
 *   looptimer.timers.lateness         gauge    seconds, tag phi=0.5|0.9|0.99|0.999: how late timers ran
 *   looptimer.timers.lateness.max     gauge    seconds
 * </pre>
 *
 * <pre>{@code
 * TimerEventLoopGroup group = new TimerEventLoopGroup(NioIoHandler.newFactory());
 * new LoopTimerMetrics(group).bindTo(registry);
 * }</pre>
 *
 * <p>Meters read {@link Timers#stats()} when the registry polls them, on the registry's thread;
 * nothing is recorded on the loops for them. micrometer-core is an optional dependency of
 * netty-adapter: only applications that use this class need it. Immutable; any thread.
 */
public final class LoopTimerMetrics implements MeterBinder {

    private static final double[] PERCENTILES = {0.5, 0.9, 0.99, 0.999};

    private final TimerEventLoopGroup group;

    /** Metrics for every loop of {@code group}. */
    public LoopTimerMetrics(TimerEventLoopGroup group) {
        this.group = Objects.requireNonNull(group, "group");
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        int index = 0;
        for (var executor : group) {
            bindLoop(registry, ((TimerEventLoop) executor).timers(), Tags.of("loop", Integer.toString(index++)));
        }
    }

    private static void bindLoop(MeterRegistry registry, Timers timers, Tags tags) {
        Gauge.builder("looptimer.timers.pending", timers, stat(TimerStats::pendingTimers))
                .tags(tags)
                .description("timers armed and not yet run or stopped")
                .register(registry);
        counter(registry, "looptimer.timers.fired", "timer callbacks run", timers, tags, TimerStats::timersFired);
        counter(
                registry,
                "looptimer.timers.failed",
                "timer callbacks that threw",
                timers,
                tags,
                TimerStats::callbackFailures);
        counter(
                registry,
                "looptimer.timers.leaked",
                "pending timers whose handle was dropped",
                timers,
                tags,
                TimerStats::leaked);
        counter(
                registry,
                "looptimer.wakeups",
                "foreign schedules that woke the loop",
                timers,
                tags.and("result", "requested"),
                TimerStats::wakeupsRequested);
        counter(
                registry,
                "looptimer.wakeups",
                "foreign schedules that did not need to wake the loop",
                timers,
                tags.and("result", "elided"),
                TimerStats::wakeupsElided);
        for (double phi : PERCENTILES) {
            TimeGauge.builder(
                            "looptimer.timers.lateness",
                            timers,
                            TimeUnit.NANOSECONDS,
                            t -> t.stats().lateness().percentileNanos(phi * 100))
                    .tags(tags.and("phi", Double.toString(phi)))
                    .description("how late fired timers ran, by percentile")
                    .register(registry);
        }
        TimeGauge.builder(
                        "looptimer.timers.lateness.max",
                        timers,
                        TimeUnit.NANOSECONDS,
                        t -> t.stats().lateness().maxNanos())
                .tags(tags)
                .description("the latest a fired timer ran")
                .register(registry);
    }

    private static void counter(
            MeterRegistry registry,
            String name,
            String description,
            Timers timers,
            Tags tags,
            ToDoubleFunction<TimerStats> count) {
        FunctionCounter.builder(name, timers, t -> count.applyAsDouble(t.stats()))
                .tags(tags)
                .description(description)
                .register(registry);
    }

    private static ToDoubleFunction<Timers> stat(ToDoubleFunction<TimerStats> field) {
        return t -> field.applyAsDouble(t.stats());
    }
}
