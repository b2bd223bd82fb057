package org.looptimer.netty;

import io.netty.channel.IoEventLoop;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.EventExecutorChooserFactory;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;
import org.looptimer.core.TimerStats;

/**
 * A {@link MultiThreadIoEventLoopGroup} whose every loop is a {@link TimerEventLoop}: it owns a
 * {@link org.looptimer.core.TimerHeap} serviced between its I/O polls, and every timer scheduled on
 * it, the application's and Netty's own ({@code IdleStateHandler}, connect timeouts,
 * {@code SslHandler}, DNS), lives in that heap.
 *
 * <p>Changing one line is enough:
 *
 * <pre>{@code
 * // before: EventLoopGroup group = new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory());
 * EventLoopGroup group = new TimerEventLoopGroup(NioIoHandler.newFactory());
 * new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)...;
 *
 * TimerHeap heap = LoopTimers.of(channel.eventLoop());   // the channel's own loop heap
 * TimerHandle idle = heap.schedule(channel::close, 30, TimeUnit.SECONDS);
 * }</pre>
 *
 * <p>Any {@link IoHandlerFactory} works: NIO, epoll, io_uring, the local transport. Thread-safe,
 * like every Netty event loop group.
 *
 * <p>Every loop's heap takes these system properties: {@code -Dlooptimer.maxTimers=N} (pending
 * timers per loop; a schedule beyond it is rejected with a {@link
 * java.util.concurrent.RejectedExecutionException} that gives the limit, the pending count and,
 * when sites are recorded, the top site), {@code -Dlooptimer.slack=10ms} (see
 * {@link org.looptimer.core.TimerHeap.Builder#slack}) and {@code -Dlooptimer.leakDetection=sampled}
 * (see {@link org.looptimer.core.LeakDetection}). {@link #stats()} sums the loops' counters;
 * {@code org.looptimer.netty.metrics.LoopTimerMetrics} publishes them to Micrometer.
 */
public class TimerEventLoopGroup extends MultiThreadIoEventLoopGroup {

    /** A group with Netty's default number of loops (twice the cores, or {@code io.netty.eventLoopThreads}). */
    public TimerEventLoopGroup(IoHandlerFactory ioHandlerFactory) {
        this(0, ioHandlerFactory);
    }

    /** A group of {@code nThreads} loops; 0 means Netty's default. */
    public TimerEventLoopGroup(int nThreads, IoHandlerFactory ioHandlerFactory) {
        this(nThreads, (Executor) null, ioHandlerFactory);
    }

    /** A group of {@code nThreads} loops whose threads {@code threadFactory} makes. */
    public TimerEventLoopGroup(int nThreads, ThreadFactory threadFactory, IoHandlerFactory ioHandlerFactory) {
        super(nThreads, threadFactory, ioHandlerFactory);
    }

    /** A group of {@code nThreads} loops run by {@code executor}; null means Netty's default. */
    public TimerEventLoopGroup(int nThreads, Executor executor, IoHandlerFactory ioHandlerFactory) {
        super(nThreads, executor, ioHandlerFactory);
    }

    /**
     * A group whose loops are chosen by {@code chooserFactory}; with Netty's
     * {@link io.netty.util.concurrent.AutoScalingEventExecutorChooserFactory} idle loops suspend,
     * but never while their heap holds pending timers.
     */
    public TimerEventLoopGroup(
            int nThreads,
            Executor executor,
            EventExecutorChooserFactory chooserFactory,
            IoHandlerFactory ioHandlerFactory) {
        super(nThreads, executor, chooserFactory, ioHandlerFactory);
    }

    /** Called by the super constructor, once per loop: no field of this group is set yet. */
    @Override
    protected IoEventLoop newChild(Executor executor, IoHandlerFactory ioHandlerFactory, Object... args) {
        return new TimerEventLoop(this, executor, ioHandlerFactory);
    }

    /**
     * The counters of every loop's heap, summed, with their lateness histograms merged. Any thread;
     * each loop's part is a snapshot as {@link TimerStats} describes.
     *
     * <pre>{@code
     * log.info("timers: {}", group.stats());
     * }</pre>
     */
    public TimerStats stats() {
        TimerStats sum = TimerStats.empty();
        for (EventExecutor loop : this) {
            sum = sum.plus(((TimerEventLoop) loop).timers().stats());
        }
        return sum;
    }

    /** The next loop, as Netty's chooser picks it. */
    @Override
    public TimerEventLoop next() {
        return (TimerEventLoop) super.next();
    }
}
