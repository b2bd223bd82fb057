package org.looptimer.netty;

import io.netty.util.concurrent.EventExecutor;
import java.util.Objects;
import org.looptimer.core.TimerHeap;

/**
 * Finds the {@link TimerHeap} of an event loop.
 *
 * <pre>{@code
 * // in a handler, on a channel whose loop belongs to a TimerEventLoopGroup:
 * TimerHandle idle = LoopTimers.of(ctx.executor()).schedule(ctx::close, 30, TimeUnit.SECONDS);
 * }</pre>
 *
 * <p>Any thread.
 */
public final class LoopTimers {

    private LoopTimers() {
    }

    /**
     * The heap of {@code executor}, which must be a {@link TimerEventLoop}.
     *
     * @throws NullPointerException if {@code executor} is null
     * @throws IllegalArgumentException if {@code executor} is any other executor; the message says
     *     how to get a loop with a heap
     */
    public static TimerHeap of(EventExecutor executor) {
        Objects.requireNonNull(executor, "executor");
        if (executor instanceof TimerEventLoop loop) {
            return loop.timers();
        }
        throw new IllegalArgumentException("executor " + executor.getClass().getName()
                + " is not a TimerEventLoop and has no timer heap: create its event loop group with"
                + " new TimerEventLoopGroup(ioHandlerFactory) instead of new MultiThreadIoEventLoopGroup(...),"
                + " or schedule through executor.schedule(...) on other executors");
    }
}
