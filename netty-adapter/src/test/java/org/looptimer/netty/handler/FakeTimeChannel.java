package org.looptimer.netty.handler;

import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.util.concurrent.TimeUnit;
import org.looptimer.core.TimerHeap;

/**
 * An {@link EmbeddedChannel} on a {@link MockTicker} that starts at 0 and moves only when told,
 * plus, for handlers given {@link #heapScheduler()}, a {@link TimerHeap} clocked by that same
 * ticker and owned by the test thread (the embedded loop's thread). {@link #advanceMillis} moves time and runs
 * everything due, in the embedded loop's scheduler and in the heap, until nothing more is due.
 */
final class FakeTimeChannel {

    final MockTicker ticker = Ticker.newMockTicker();
    /** The heap a handler's timers went to through {@link #heapScheduler()}, or null if none did. */
    TimerHeap heap;

    EmbeddedChannel channel;

    /** Opens the channel (registered and active) with {@code handlers}; returns it. */
    EmbeddedChannel open(ChannelHandler... handlers) {
        channel = EmbeddedChannel.builder().ticker(ticker).handlers(handlers).build();
        return channel;
    }

    /** Creates the channel without registering it: no handler has seen channelActive yet. */
    EmbeddedChannel openUnregistered(ChannelHandler... handlers) {
        channel = EmbeddedChannel.builder()
                .ticker(ticker)
                .register(false)
                .handlers(handlers)
                .build();
        return channel;
    }

    /**
     * For a handler's test seam: its timers go to {@link #heap}, created on first use and clocked
     * by the executor's ticker, instead of the executor's own scheduler.
     */
    HandlerTimer.Scheduler heapScheduler() {
        return (executor, task, deadlineNanos) -> heapFor(executor).scheduleAt(task, deadlineNanos);
    }

    private TimerHeap heapFor(EventExecutor executor) {
        if (heap == null) {
            heap = TimerHeap.builder().clock(executor.ticker()::nanoTime).build();
        }
        return heap;
    }

    long nowMillis() {
        return TimeUnit.NANOSECONDS.toMillis(ticker.nanoTime());
    }

    /** Moves time by {@code millis} one millisecond at a time, running what falls due. */
    void advanceMillis(long millis) {
        for (long i = 0; i < millis; i++) {
            ticker.advance(1, TimeUnit.MILLISECONDS);
            runDue();
        }
    }

    /** Runs due work until a round runs nothing: heap timers armed during a pass run next pass. */
    void runDue() {
        for (int round = 0; round < 1000; round++) {
            int ran = 0;
            if (heap != null) {
                ran += heap.runDue(ticker.nanoTime());
            }
            channel.runPendingTasks();
            if (ran == 0) {
                return;
            }
        }
        throw new AssertionError("timers keep falling due at the same instant");
    }
}
