package org.looptimer.netty;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.Timeout;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.looptimer.core.TimerHandle;

/**
 * Never early, on a real loop: a task that arms a timer after 80 ms of work inside the loop's pass
 * gets a timer that runs no sooner than 20 ms after the call, through every API. The verdict holds
 * on a busy machine too, where everything only runs later.
 */
class NeverEarlyOnLoopTest {

    private static final long DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    private static final long SLOW_HANDLER_NANOS = TimeUnit.MILLISECONDS.toNanos(80);

    private static TimerEventLoopGroup group;
    private static TimerEventLoop loop;

    /** API name: ticker reading just before the call, and at the run. */
    private final Map<String, long[]> times = new ConcurrentHashMap<>();

    @BeforeAll
    static void start() {
        group = new TimerEventLoopGroup(1, NioIoHandler.newFactory());
        loop = group.next();
    }

    @AfterAll
    static void stop() {
        Loops.shutdown(group);
    }

    private long now() {
        return loop.ticker().nanoTime();
    }

    private Runnable ran(String api) {
        return () -> times.get(api)[1] = now();
    }

    /** On the loop: a slow handler, then {@code arm} with a reading taken right before it. */
    private void armAfterSlowWork(String api, Consumer<Runnable> arm) throws Exception {
        loop.submit(() -> {
                    LoopTimers.of(loop).schedule(() -> {}, 0, TimeUnit.NANOSECONDS); // a pass, as any would
                    long spinUntil = System.nanoTime() + SLOW_HANDLER_NANOS;
                    while (System.nanoTime() - spinUntil < 0) {
                        Thread.onSpinWait();
                    }
                    times.put(api, new long[] {now(), 0});
                    arm.accept(ran(api));
                })
                .get(10, TimeUnit.SECONDS);
    }

    // Each timer records when it ran, which is what the test checks.
    @SuppressWarnings("FutureReturnValueIgnored")
    @Test
    void noApiRunsATimerBeforeTheCallPlusItsDelay() throws Exception {
        NioSocketChannel channel = new NioSocketChannel();
        loop.register(channel).sync();
        LoopTimer wheel = new LoopTimer(group);
        List<TimerHandle> tickers = new ArrayList<>();
        try {
            armAfterSlowWork("Timers.schedule", task -> LoopTimers.of(loop).schedule(task, 20, TimeUnit.MILLISECONDS));
            armAfterSlowWork(
                    "Timers.scheduleTicker",
                    task -> tickers.add(LoopTimers.of(loop).scheduleTicker(task, 20, TimeUnit.MILLISECONDS)));
            armAfterSlowWork(
                    "TimerHandle.reset",
                    task -> LoopTimers.of(loop)
                            .schedule(task, 1, TimeUnit.HOURS)
                            .reset(20, TimeUnit.MILLISECONDS));
            armAfterSlowWork(
                    "ChannelTimers.schedule",
                    task -> ChannelTimers.of(channel).schedule(task, 20, TimeUnit.MILLISECONDS));
            armAfterSlowWork(
                    "LoopTimer.newTimeout",
                    task -> wheel.newTimeout((Timeout t) -> task.run(), 20, TimeUnit.MILLISECONDS));
            armAfterSlowWork("EventLoop.schedule", task -> loop.schedule(task, 20, TimeUnit.MILLISECONDS));
            armAfterSlowWork(
                    "scheduleAtFixedRate", task -> loop.scheduleAtFixedRate(task, 20, 1_000, TimeUnit.MILLISECONDS));

            Loops.await("every timer ran", () -> times.values().stream().allMatch(t -> t[1] != 0));
            for (Map.Entry<String, long[]> e : times.entrySet()) {
                long waited = e.getValue()[1] - e.getValue()[0];
                assertTrue(waited >= DELAY_NANOS, e.getKey() + " ran " + (DELAY_NANOS - waited) + " ns early");
            }
        } finally {
            tickers.forEach(TimerHandle::stop);
            wheel.stop();
            channel.close().sync();
        }
    }
}
