package org.looptimer.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
import io.netty.util.Attribute;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.AbstractEventExecutor;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.looptimer.core.Deadlines;
import org.looptimer.core.TimerHandle;

/**
 * Timers bound to a channel's life: every timer scheduled here is stopped when the channel
 * closes, so a ticker nobody stopped dies with its channel instead of ticking, and holding the
 * channel, forever. This is the leak the Go article behind this project warns of, made
 * impossible.
 *
 * <pre>{@code
 * // in a handler: a keep-alive ticker and a login deadline, both gone when the channel closes
 * ChannelTimers timers = ChannelTimers.of(ctx.channel());
 * timers.scheduleTicker(() -> ctx.writeAndFlush(KEEP_ALIVE.retainedDuplicate()), 15, TimeUnit.SECONDS);
 * TimerHandle login = timers.schedule(ctx::close, 10, TimeUnit.SECONDS);
 * // when the login succeeds:
 * login.stop();
 * }</pre>
 *
 * <p>On a {@link TimerEventLoop} the timers live in the loop's heap; on any other loop they go
 * through the loop's own {@code schedule} with the same {@link TimerHandle} semantics (see
 * {@code ExecutorTimerHandle}), so this works in {@code EmbeddedChannel} and on stock loops.
 * Callbacks run on the channel's event loop. Deadlines ({@link TimerHandle#deadlineNanos()}) are
 * in the domain of the loop's {@code ticker().nanoTime()} (a {@link TimerEventLoop}'s heap is
 * clocked by its ticker).
 *
 * <p>Closed channel: {@link #schedule} and {@link #scheduleTicker} return a handle that is not
 * pending and never runs; {@link TimerHandle#reset} on any of this channel's handles then returns
 * false and arms nothing, and {@link TimerHandle#isPending()} is false. No callback runs once the
 * channel is closed, even one that was due in the same loop pass.
 *
 * <h2>How it tracks its timers</h2>
 *
 * The live timers sit in an intrusive doubly linked list owned by the channel's event loop, so the
 * close listener can stop them all without any lock. The loop links a timer when it is armed and
 * unlinks it when it is stopped or a one-shot runs. Another thread cannot touch the list: it arms
 * or stops the timer itself (the heap and {@code ExecutorTimerHandle} are thread-safe) and hands
 * the loop the timer's own pre-allocated reconcile task through {@code lazyExecute}, which neither
 * allocates nor wakes the loop; the loop then links or unlinks by the timer's state. A timer whose
 * reconcile has not run yet is covered by the closed check every callback makes.
 *
 * <p>Threads: {@link #of}, {@link #schedule}, {@link #scheduleTicker} and every method of the
 * returned handles may be called from any thread. A channel that is deregistered and registered
 * with another loop keeps its existing timers on the first loop; that case is not supported.
 */
public final class ChannelTimers {

    private static final AttributeKey<ChannelTimers> KEY = AttributeKey.valueOf(ChannelTimers.class, "CHANNEL_TIMERS");

    private final Channel channel;

    /**
     * Set on the loop when the channel's close future completes. Volatile: other threads read it
     * before arming, and the loop's later reconcile of their timer reads it again, so a timer armed
     * in a race with the close is stopped by one of the two.
     */
    private volatile boolean closed;

    // --- the channel's event loop only, plain ---
    private ChannelTimer head;

    private ChannelTimers(Channel channel) {
        this.channel = channel;
    }

    /**
     * The timers of {@code channel}: one instance per channel, created on first use and kept in a
     * channel attribute. Any thread.
     *
     * @throws NullPointerException if {@code channel} is null
     */
    public static ChannelTimers of(Channel channel) {
        Objects.requireNonNull(channel, "channel");
        Attribute<ChannelTimers> attr = channel.attr(KEY);
        ChannelTimers timers = attr.get();
        if (timers != null) {
            return timers;
        }
        ChannelTimers created = new ChannelTimers(channel);
        timers = attr.setIfAbsent(created);
        if (timers != null) {
            return timers; // another thread won the race
        }
        created.watchClose();
        return created;
    }

    private void watchClose() {
        if (!channel.isOpen()) {
            // Already closed: nothing can be armed, and a never-registered channel's close future
            // has no executor to notify a listener on.
            closed = true;
            return;
        }
        channel.closeFuture().addListener((ChannelFutureListener) this::channelClosed);
    }

    /**
     * Runs {@code task} once on the channel's event loop, {@code delay} from now, unless the
     * channel closes first. Any thread.
     *
     * @return the timer; not pending and never run if the channel is closed
     * @throws NullPointerException if {@code task} or {@code unit} is null
     * @throws IllegalStateException if the channel is open but not registered with an event loop
     * @throws RejectedExecutionException if the channel's event loop is shut down
     */
    public TimerHandle schedule(Runnable task, long delay, TimeUnit unit) {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(unit, "unit");
        return arm(task, unit.toNanos(delay), false);
    }

    /**
     * Runs {@code task} on the channel's event loop every {@code period}, first one period from
     * now, until it is stopped or the channel closes. A ticker that falls behind skips the runs it
     * missed. Any thread.
     *
     * @return the ticker; not pending and never run if the channel is closed
     * @throws NullPointerException if {@code task} or {@code unit} is null
     * @throws IllegalArgumentException if {@code period <= 0}
     * @throws IllegalStateException if the channel is open but not registered with an event loop
     * @throws RejectedExecutionException if the channel's event loop is shut down
     */
    public TimerHandle scheduleTicker(Runnable task, long period, TimeUnit unit) {
        Objects.requireNonNull(task, "task");
        return arm(task, Deadlines.checkPeriod(period, unit), true);
    }

    private TimerHandle arm(Runnable task, long nanos, boolean periodic) {
        if (isClosed()) {
            return new InertTimerHandle(periodic);
        }
        if (!channel.isRegistered()) {
            throw new IllegalStateException("ChannelTimers needs the channel's event loop, and "
                    + channel + " is not registered with one yet; schedule from channelRegistered()"
                    + " or later");
        }
        EventLoop loop = channel.eventLoop();
        ChannelTimer timer = new ChannelTimer(this, task, periodic);
        timer.inner = periodic
                ? LoopTimers.scheduleTicker(loop, timer, nanos, TimeUnit.NANOSECONDS)
                : LoopTimers.schedule(loop, timer, nanos, TimeUnit.NANOSECONDS);
        track(timer);
        return timer;
    }

    /** Whether the channel's timers are dead: the channel is closed or closing. Any thread. */
    boolean isClosed() {
        return closed || !channel.isOpen();
    }

    /** Any thread: brings the loop's list in line with the timer's state, now or soon. */
    void track(ChannelTimer timer) {
        EventLoop loop = channel.eventLoop();
        if (loop.inEventLoop()) {
            reconcile(timer);
            return;
        }
        try {
            if (loop instanceof AbstractEventExecutor executor) {
                // No wake-up: the list only matters at close, and every callback checks `closed`.
                executor.lazyExecute(timer.reconcile);
            } else {
                loop.execute(timer.reconcile);
            }
        } catch (RejectedExecutionException loopGone) {
            // The loop has shut down: its timers are dead with it, and so is the channel.
            timer.inner.stop();
        }
    }

    /** Loop: links a pending timer, unlinks one that is not, stops any once the channel closed. */
    void reconcile(ChannelTimer timer) {
        TimerHandle inner = timer.inner;
        if (closed) {
            inner.stop();
            unlink(timer);
        } else if (inner.isPending()) {
            link(timer);
        } else {
            unlink(timer);
        }
    }

    /** Loop. */
    void link(ChannelTimer timer) {
        if (timer.linked) {
            return;
        }
        timer.linked = true;
        timer.prev = null;
        timer.next = head;
        if (head != null) {
            head.prev = timer;
        }
        head = timer;
    }

    /** Loop. */
    void unlink(ChannelTimer timer) {
        if (!timer.linked) {
            return;
        }
        timer.linked = false;
        ChannelTimer p = timer.prev;
        ChannelTimer n = timer.next;
        if (p == null) {
            head = n;
        } else {
            p.next = n;
        }
        if (n != null) {
            n.prev = p;
        }
        timer.prev = null;
        timer.next = null;
    }

    /** Loop: the close listener. Stops every linked timer; late reconciles stop the rest. */
    private void channelClosed(ChannelFuture ignored) {
        // Volatile store: other threads stop arming and report their handles not pending. Timers
        // they armed before seeing it reach the list through reconcile(), which runs on this loop
        // after us and stops them.
        closed = true;
        ChannelTimer t = head;
        head = null;
        while (t != null) {
            ChannelTimer next = t.next;
            t.linked = false;
            t.prev = null;
            t.next = null;
            t.inner.stop();
            t = next;
        }
    }

    Channel channel() {
        return channel;
    }
}
