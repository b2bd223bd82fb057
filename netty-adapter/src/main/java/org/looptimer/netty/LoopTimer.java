package org.looptimer.netty;

import io.netty.util.HashedWheelTimer;
import io.netty.util.Timeout;
import io.netty.util.Timer;
import io.netty.util.TimerTask;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.internal.ThreadExecutorMap;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A drop-in {@link Timer} for code written against Netty's {@link HashedWheelTimer}, backed by
 * the heaps of a {@link TimerEventLoopGroup}'s loops instead of a wheel and a thread of its own.
 *
 * <pre>{@code
 * TimerEventLoopGroup group = new TimerEventLoopGroup(NioIoHandler.newFactory());
 * Timer timer = new LoopTimer(group);                 // was: new HashedWheelTimer()
 * Timeout t = timer.newTimeout(to -> request.fail(new TimeoutException()), 5, TimeUnit.SECONDS);
 * // when the response arrives:
 * t.cancel();
 * // at shutdown, before group.shutdownGracefully():
 * timer.stop();
 * }</pre>
 *
 * <h2>Where a timeout lives</h2>
 *
 * A timeout created on a loop thread of the group lives in that loop's heap and its task runs on
 * that loop: no thread hop, no wake-up, and the task may touch that loop's channels directly. A
 * timeout created on any other thread goes to {@code group.next()}'s heap, which wakes that loop
 * only if the new deadline is earlier than the one it sleeps toward. Precision is the heap's
 * (nanoseconds, serviced at every poll), not a wheel's tick; a timeout never runs before its delay.
 *
 * <h2>Semantics, as {@link HashedWheelTimer}'s</h2>
 *
 * <ul>
 *   <li>{@link Timeout#cancel()} is true only for the call that cancelled a pending timeout; it
 *       calls {@link TimerTask#cancelled} (on the cancelling thread, where the wheel uses its
 *       worker thread). A timeout is {@linkplain Timeout#isExpired() expired} from the moment its
 *       task starts.
 *   <li>{@link #stop()} cancels every pending timeout and returns them; a later
 *       {@link #newTimeout} throws {@link IllegalStateException}. A second {@code stop()} returns
 *       an empty set. Unlike the wheel's, {@code stop()} may be called from a {@link TimerTask}.
 *       It does not shut the group down.
 *   <li>With {@code maxPendingTimeouts > 0}, a {@link #newTimeout} that would exceed it throws
 *       {@link RejectedExecutionException}; cancelled and expired timeouts stop counting at once.
 *   <li>A task that throws is logged as a warning; other timeouts are unaffected. A delay too
 *       large to represent, such as {@link Long#MAX_VALUE} ms, never fires.
 *   <li>If the group has shut down, {@link #newTimeout} throws {@link RejectedExecutionException};
 *       timeouts pending at the shutdown never run.
 * </ul>
 *
 * <p>Threads: every method, any thread. Tasks run on a loop of the group.
 */
public final class LoopTimer implements Timer {

    private static final VarHandle STOPPED;

    static {
        try {
            STOPPED = MethodHandles.lookup().findVarHandle(LoopTimer.class, "stopped", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final TimerEventLoopGroup group;
    private final long maxPendingTimeouts;
    /** Built in the constructor and never changed: safely published by the final field. */
    private final IdentityHashMap<EventExecutor, TimeoutRegistry> registries;
    /**
     * Created and neither run nor cancelled. An atomic counter, as the wheel's: the limit needs an
     * exact increment-and-check. It is one shared cache line per timer, touched once at creation
     * and once at expiry or cancel.
     */
    private final AtomicLong pendingTimeouts = new AtomicLong();
    /**
     * Set once by {@link #stop()}, with a CAS so that only one stop collects. Volatile: newTimeout
     * pushes its timeout, then reads it; stop writes it, then walks the registries; so either stop
     * finds the timeout or newTimeout sees the stop and cancels it (a Dekker pair through the
     * push's CAS).
     */
    private volatile boolean stopped;

    /**
     * A timer on the loops of {@code group}, with no limit on pending timeouts.
     *
     * @throws NullPointerException if {@code group} is null
     */
    public LoopTimer(TimerEventLoopGroup group) {
        this(group, 0);
    }

    /**
     * A timer on the loops of {@code group}.
     *
     * @param maxPendingTimeouts the most timeouts pending at once; 0 or less for no limit
     * @throws NullPointerException if {@code group} is null
     */
    public LoopTimer(TimerEventLoopGroup group, long maxPendingTimeouts) {
        this.group = Objects.requireNonNull(group, "group");
        this.maxPendingTimeouts = maxPendingTimeouts;
        IdentityHashMap<EventExecutor, TimeoutRegistry> map = new IdentityHashMap<>();
        for (EventExecutor loop : group) {
            map.put(loop, new TimeoutRegistry(LoopTimers.of(loop)));
        }
        this.registries = map;
    }

    /**
     * Runs {@code task} once, {@code delay} from now, on a loop of the group (this thread's loop
     * if it is one of them).
     *
     * @throws NullPointerException if {@code task} or {@code unit} is null
     * @throws IllegalStateException if this timer was stopped
     * @throws RejectedExecutionException if {@code maxPendingTimeouts} timeouts are pending, or
     *     the group has shut down
     */
    @Override
    public Timeout newTimeout(TimerTask task, long delay, TimeUnit unit) {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(unit, "unit");
        if (stopped) {
            throw stoppedException();
        }
        reservePending();

        TimeoutRegistry registry = null;
        EventExecutor current = ThreadExecutorMap.currentExecutor();
        if (current != null) {
            registry = registries.get(current);
        }
        boolean onLoop = registry != null;
        if (!onLoop) {
            registry = registries.get(group.next());
        }

        LoopTimeout timeout = new LoopTimeout(this, task);
        registry.push(timeout);
        if (stopped) {
            if (timeout.abandon()) {
                releasePending();
            }
            throw stoppedException();
        }
        try {
            timeout.handle = registry.timers.schedule(timeout, delay, unit);
        } catch (RuntimeException rejected) {
            if (timeout.abandon()) {
                releasePending();
            }
            throw rejected;
        }
        if (timeout.isCancelled()) {
            timeout.handle.stop(); // cancelled before the handle was visible to cancel()
        }
        return timeout;
    }

    /**
     * Cancels every pending timeout and returns them; later {@link #newTimeout} calls throw
     * {@link IllegalStateException}. Returns an empty set if already stopped. Does not shut the
     * group down. Any thread, including a {@link TimerTask}.
     */
    @Override
    public Set<Timeout> stop() {
        if (!STOPPED.compareAndSet(this, false, true)) {
            return Collections.emptySet(); // stopped already: the first stop returned them
        }
        Set<Timeout> cancelled = new HashSet<>();
        for (TimeoutRegistry registry : registries.values()) {
            registry.cancelAll(cancelled);
        }
        return cancelled;
    }

    /** Timeouts created and neither run nor cancelled yet. Any thread. */
    public long pendingTimeouts() {
        return pendingTimeouts.get();
    }

    private void reservePending() {
        long pending = pendingTimeouts.incrementAndGet();
        if (maxPendingTimeouts > 0 && pending > maxPendingTimeouts) {
            pendingTimeouts.decrementAndGet();
            throw new RejectedExecutionException("Number of pending timeouts (" + pending
                    + ") is greater than or equal to maximum allowed pending timeouts ("
                    + maxPendingTimeouts + ")");
        }
    }

    void releasePending() {
        pendingTimeouts.decrementAndGet();
    }

    private static IllegalStateException stoppedException() {
        return new IllegalStateException("LoopTimer was stopped; cannot be started once stopped");
    }

    @Override
    public String toString() {
        return "LoopTimer[" + pendingTimeouts.get() + " pending" + (stopped ? ", stopped" : "") + ']';
    }
}
