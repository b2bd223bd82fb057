package org.looptimer.bench.load;

import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.HashedWheelTimer;
import io.netty.util.Timeout;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.looptimer.core.TimerHandle;
import org.looptimer.netty.LoopTimers;
import org.looptimer.netty.TimerEventLoopGroup;

/**
 * A timer implementation under load, with the event loop that serves the echo connection beside
 * it: for the loop peers the timers live on that very loop; the others keep their timers on
 * threads of their own and the echo runs on a stock loop.
 *
 * <p>Handles are {@code Object}s (a {@link TimerHandle}, a {@link Future}, a {@link Timeout}), so
 * no peer pays for a wrapper.
 *
 * <p>Threads: {@link #schedule} and {@link #stop} from any thread the peer allows (the loop peers
 * are called on their loop); {@link #close} once, from the driver.
 */
abstract class TimerPeer implements AutoCloseable {

    /** The peer's name in the report. */
    final String name;
    /** The loop that serves the echo connection. */
    final MultiThreadIoEventLoopGroup echoGroup;

    final EventLoop echoLoop;

    TimerPeer(String name, MultiThreadIoEventLoopGroup echoGroup) {
        this.name = name;
        this.echoGroup = echoGroup;
        this.echoLoop = echoGroup.next();
    }

    /** Whether the timers run on {@link #echoLoop}, so that a caller must arm them there. */
    abstract boolean onEchoLoop();

    abstract Object schedule(Runnable task, long delayNanos);

    abstract void stop(Object handle);

    @Override
    public void close() {
        echoGroup.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    }

    static TimerPeer named(String name) {
        return switch (name) {
            case "looptimer" -> new Loop(name, new TimerEventLoopGroup(1, NioIoHandler.newFactory()), true);
            case "nettyEventLoop" ->
                new Loop(name, new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory()), false);
            case "hashedWheel100ms" -> new Wheel(name, 100);
            case "hashedWheel1ms" -> new Wheel(name, 1);
            case "jdkScheduledPool" -> {
                ScheduledThreadPoolExecutor pool = new ScheduledThreadPoolExecutor(1, daemon("jdk-pool"));
                pool.setRemoveOnCancelPolicy(true);
                yield new Pool(name, pool);
            }
            case "jdkScheduledPoolKeepCancelled" ->
                new Pool(name, Executors.newScheduledThreadPool(1, daemon("jdk-pool")));
            case "jdk25ForkJoinPool" -> new Pool(name, Jdk25.forkJoinPool());
            default -> throw new IllegalArgumentException("unknown peer " + name);
        };
    }

    static ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    /** Timers in the echo loop itself: looptimer's heap or Netty's scheduler. */
    static final class Loop extends TimerPeer {
        private final boolean heap;

        Loop(String name, MultiThreadIoEventLoopGroup group, boolean heap) {
            super(name, group);
            this.heap = heap;
        }

        @Override
        boolean onEchoLoop() {
            return true;
        }

        @Override
        // The future is the handle: callers stop it; the load tasks cannot fail.
        @SuppressWarnings("FutureReturnValueIgnored")
        Object schedule(Runnable task, long delayNanos) {
            return heap
                    ? LoopTimers.of(echoLoop).schedule(task, delayNanos, TimeUnit.NANOSECONDS)
                    : echoLoop.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
        }

        @Override
        void stop(Object handle) {
            if (handle instanceof TimerHandle h) {
                h.stop();
            } else {
                ((Future<?>) handle).cancel(false);
            }
        }
    }

    /** Netty's {@code HashedWheelTimer} with the given tick, on its own worker thread. */
    static final class Wheel extends TimerPeer {
        private final HashedWheelTimer wheel;

        Wheel(String name, long tickMillis) {
            super(name, new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory()));
            // 512 buckets (Netty's default) and no pending limit: a million timeouts must fit.
            wheel = new HashedWheelTimer(daemon(name), tickMillis, TimeUnit.MILLISECONDS, 512, true, -1);
            wheel.start();
        }

        @Override
        boolean onEchoLoop() {
            return false;
        }

        @Override
        Object schedule(Runnable task, long delayNanos) {
            return wheel.newTimeout(t -> task.run(), delayNanos, TimeUnit.NANOSECONDS);
        }

        @Override
        void stop(Object handle) {
            ((Timeout) handle).cancel();
        }

        @Override
        public void close() {
            wheel.stop();
            super.close();
        }
    }

    /** A {@link ScheduledExecutorService} with one thread: the JDK's pool, or JDK 25's ForkJoinPool. */
    static final class Pool extends TimerPeer {
        private final ScheduledExecutorService pool;

        Pool(String name, ScheduledExecutorService pool) {
            super(name, new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory()));
            this.pool = pool;
        }

        @Override
        boolean onEchoLoop() {
            return false;
        }

        @Override
        // The future is the handle: callers stop it; the load tasks cannot fail.
        @SuppressWarnings("FutureReturnValueIgnored")
        Object schedule(Runnable task, long delayNanos) {
            return pool.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
        }

        @Override
        void stop(Object handle) {
            ((Future<?>) handle).cancel(false);
        }

        @Override
        public void close() {
            pool.shutdownNow();
            super.close();
        }
    }
}
