package org.looptimer.bench.go;

import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.looptimer.core.TimerHandle;
import org.looptimer.netty.LoopTimers;
import org.looptimer.netty.TimerEventLoopGroup;

/**
 * The three ways every ported Go benchmark runs, each as the calls Go's {@code time} package
 * makes: {@code AfterFunc} is {@link #start}, {@code Timer.Stop} is {@link #stop},
 * {@code Timer.Reset} is {@link #reset}, {@code NewTicker} is {@link #ticker} and
 * {@code Ticker.Reset} is {@link #resetTicker}.
 *
 * <p>A handle is an {@code Object}: a {@link TimerHandle} for looptimer, a Netty
 * {@code ScheduledFuture} otherwise, so no way pays for a wrapper the others do not. Netty's API
 * has no re-arm: its {@code reset} is a cancel and a new schedule, as Go's
 * {@code TickerResetNaive} does by hand.
 *
 * <p>Threads: every method, any thread (the calls are those of the API underneath).
 */
enum Way {
    /** looptimer's own API, {@code LoopTimers.of(loop)}, on a {@link TimerEventLoopGroup}. */
    LOOPTIMER("looptimer") {
        @Override
        Object start(EventLoop loop, Runnable task, long delayNanos) {
            return LoopTimers.of(loop).schedule(task, delayNanos, TimeUnit.NANOSECONDS);
        }

        @Override
        boolean stop(Object handle) {
            return ((TimerHandle) handle).stop();
        }

        @Override
        Object reset(EventLoop loop, Object handle, Runnable task, long delayNanos) {
            ((TimerHandle) handle).reset(delayNanos, TimeUnit.NANOSECONDS);
            return handle;
        }

        @Override
        Object ticker(EventLoop loop, Runnable task, long periodNanos) {
            return LoopTimers.of(loop).scheduleTicker(task, periodNanos, TimeUnit.NANOSECONDS);
        }

        @Override
        Object resetTicker(EventLoop loop, Object handle, Runnable task, long periodNanos) {
            return reset(loop, handle, task, periodNanos);
        }

        @Override
        MultiThreadIoEventLoopGroup newGroup(int loops) {
            return new TimerEventLoopGroup(loops, NioIoHandler.newFactory());
        }
    },
    /** Netty's {@code EventLoop.schedule} API on a {@link TimerEventLoopGroup}: the same heap, Netty's futures. */
    LOOPTIMER_NETTY_API("looptimer-netty-api") {
        @Override
        MultiThreadIoEventLoopGroup newGroup(int loops) {
            return new TimerEventLoopGroup(loops, NioIoHandler.newFactory());
        }
    },
    /** Netty's API on stock {@code MultiThreadIoEventLoopGroup}. */
    NETTY("netty") {
        @Override
        MultiThreadIoEventLoopGroup newGroup(int loops) {
            return new MultiThreadIoEventLoopGroup(loops, NioIoHandler.newFactory());
        }
    };

    /** The peer's name in the report. */
    final String peer;

    Way(String peer) {
        this.peer = peer;
    }

    /** Go's {@code AfterFunc(delay, task)} on {@code loop}'s timers. */
    // The future is the handle: callers stop it, and the benchmark tasks cannot fail.
    @SuppressWarnings("FutureReturnValueIgnored")
    Object start(EventLoop loop, Runnable task, long delayNanos) {
        return loop.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
    }

    /** Go's {@code Timer.Stop}: true if it prevented a run. */
    boolean stop(Object handle) {
        return ((Future<?>) handle).cancel(false);
    }

    /** Go's {@code Timer.Reset}; returns the handle to use from now on. */
    Object reset(EventLoop loop, Object handle, Runnable task, long delayNanos) {
        stop(handle);
        return start(loop, task, delayNanos);
    }

    /** Go's {@code NewTicker(period)}: first run one period from now. */
    // The future is the handle: callers stop it, and the benchmark tasks cannot fail.
    @SuppressWarnings("FutureReturnValueIgnored")
    Object ticker(EventLoop loop, Runnable task, long periodNanos) {
        return loop.scheduleAtFixedRate(task, periodNanos, periodNanos, TimeUnit.NANOSECONDS);
    }

    /** Go's {@code Ticker.Reset(period)}; returns the handle to use from now on. */
    Object resetTicker(EventLoop loop, Object handle, Runnable task, long periodNanos) {
        stop(handle);
        return ticker(loop, task, periodNanos);
    }

    /** A group of {@code loops} NIO loops of this way's kind. */
    abstract MultiThreadIoEventLoopGroup newGroup(int loops);

    static Way byPeer(String peer) {
        for (Way w : values()) {
            if (w.peer.equals(peer)) {
                return w;
            }
        }
        throw new IllegalArgumentException("unknown peer " + peer);
    }
}
