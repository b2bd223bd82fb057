package org.looptimer.netty;

import io.netty.util.Timeout;
import io.netty.util.Timer;
import io.netty.util.TimerTask;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.looptimer.core.TimerHandle;

/**
 * A {@link Timeout} of a {@link LoopTimer}: the callback of one timer in a loop's heap, and a node
 * of its loop's {@link TimeoutRegistry}.
 *
 * <p>States: INIT -> EXPIRED (the heap ran it; set before the task runs, as Netty does) or
 * INIT -> CANCELLED ({@link #cancel()}, or {@link LoopTimer#stop()}). Each transition is one CAS,
 * so exactly one of run and cancel wins.
 *
 * <p>Threads: {@link Timeout} methods, any thread; {@link #run()}, the loop that owns the heap.
 * Footprint: 32 bytes with compressed oops, plus the heap timer (32) and its heap slot (16).
 */
final class LoopTimeout implements Timeout, Runnable {

    private static final InternalLogger logger = InternalLoggerFactory.getInstance(LoopTimer.class);

    static final int INIT = 0;
    static final int CANCELLED = 1;
    static final int EXPIRED = 2;

    private static final VarHandle STATE;
    static final VarHandle NEXT;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            STATE = lookup.findVarHandle(LoopTimeout.class, "state", int.class);
            NEXT = lookup.findVarHandle(LoopTimeout.class, "next", LoopTimeout.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final LoopTimer timer;
    private final TimerTask task;

    /** CAS from any thread; see the class comment. */
    private volatile int state = INIT;

    /**
     * The heap timer. Volatile and written after arming, read by {@link #cancel()} after its CAS:
     * whichever of the two comes second sees the other and stops the heap timer (a Dekker pair).
     */
    volatile TimerHandle handle;

    /** The registry's link; accessed through {@link #NEXT} by {@link TimeoutRegistry} only. */
    @SuppressWarnings("unused")
    private LoopTimeout next;

    LoopTimeout(LoopTimer timer, TimerTask task) {
        this.timer = timer;
        this.task = task;
    }

    /** The heap callback, on the loop. */
    @Override
    public void run() {
        if (!STATE.compareAndSet(this, INIT, EXPIRED)) {
            return; // cancelled in a race with the heap
        }
        timer.releasePending();
        try {
            task.run(this);
        } catch (Throwable t) {
            logger.warn("An exception was thrown by {}.", TimerTask.class.getSimpleName(), t);
        }
    }

    @Override
    public Timer timer() {
        return timer;
    }

    @Override
    public TimerTask task() {
        return task;
    }

    @Override
    public boolean isExpired() {
        return state == EXPIRED;
    }

    @Override
    public boolean isCancelled() {
        return state == CANCELLED;
    }

    /**
     * Cancels it if it has neither run nor been cancelled, stops its heap timer (no wake-up, no
     * allocation) and calls {@link TimerTask#cancelled} on the calling thread.
     */
    @Override
    public boolean cancel() {
        if (!STATE.compareAndSet(this, INIT, CANCELLED)) {
            return false;
        }
        TimerHandle h = handle;
        if (h != null) {
            h.stop();
        }
        timer.releasePending();
        try {
            task.cancelled(this);
        } catch (Throwable t) {
            logger.warn("An exception was thrown by {}.cancelled().", TimerTask.class.getSimpleName(), t);
        }
        return true;
    }

    /** Cancels without the callback, for a timeout that never got armed. */
    boolean abandon() {
        return STATE.compareAndSet(this, INIT, CANCELLED);
    }

    boolean isInit() {
        return state == INIT;
    }

    @Override
    public String toString() {
        TimerHandle h = handle;
        String st = state == INIT ? "pending" : state == EXPIRED ? "expired" : "cancelled";
        return "LoopTimeout[" + st + (h != null ? ", deadline=" + h.deadlineNanos() : "") + ", task: " + task + ']';
    }
}
