package org.looptimer.netty;

import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.looptimer.core.Deadlines;
import org.looptimer.core.TimerHandle;

/**
 * One timer of a {@link ChannelTimers}: the user's task wrapped so that it never runs once the
 * channel is closed, and a node of the channel's list of live timers. The real timer, in the
 * loop's heap or in its scheduler, is {@link #inner}.
 *
 * <p>Threads: the {@link TimerHandle} methods, any thread. {@link #run()} (the callback) and
 * {@link #reconcile}, the channel's event loop. The list fields belong to the loop.
 */
final class ChannelTimer implements TimerHandle, Runnable {

    private final ChannelTimers owner;
    private final Runnable task;
    private final boolean periodic;

    /**
     * The real timer. Volatile: assigned right after it is armed, and a timer armed by another
     * thread may reach the loop, and run, before that assignment is visible; readers check null.
     */
    volatile TimerHandle inner;

    /** Handed to the loop by other threads; allocated once so that a stop or reset allocates nothing. */
    final Runnable reconcile = this::reconcileOnLoop;

    // --- the channel's event loop only, plain ---
    ChannelTimer prev;
    ChannelTimer next;
    boolean linked;

    ChannelTimer(ChannelTimers owner, Runnable task, boolean periodic) {
        this.owner = owner;
        this.task = task;
        this.periodic = periodic;
    }

    /** The timer's callback, on the loop. */
    @Override
    public void run() {
        if (owner.isClosed()) {
            TimerHandle in = inner;
            if (in != null) {
                in.stop(); // a ticker whose channel closed in this pass: no more ticks
            }
            owner.unlink(this);
            return;
        }
        if (!periodic) {
            owner.unlink(this); // before the task, which may re-arm (and so re-link) this timer
        }
        task.run();
    }

    private void reconcileOnLoop() {
        if (inner != null) {
            owner.reconcile(this);
        }
    }

    @Override
    public boolean stop() {
        TimerHandle in = inner;
        if (in == null) {
            return false; // cannot happen: the handle is returned after inner is set
        }
        // A timer whose channel has closed will not run anyway: stopping it prevents nothing.
        boolean closedBefore = owner.isClosed();
        boolean stopped = in.stop();
        if (owner.channel().eventLoop().inEventLoop()) {
            owner.unlink(this);
        } else if (stopped) {
            owner.track(this);
        }
        return stopped && !closedBefore;
    }

    @Override
    public boolean reset(long delay, TimeUnit unit) {
        if (periodic) {
            Deadlines.checkPeriod(delay, unit);
        } else {
            Objects.requireNonNull(unit, "unit");
        }
        if (owner.isClosed()) {
            return false; // dies with its channel: nothing to re-arm
        }
        return rearmed(inner.reset(delay, unit));
    }

    @Override
    public boolean resetAt(long deadlineNanos) {
        if (owner.isClosed()) {
            return false;
        }
        return rearmed(inner.resetAt(deadlineNanos));
    }

    /** A timer that was not pending is armed again: the loop's list must hold it. */
    private boolean rearmed(boolean wasPending) {
        if (!wasPending) {
            owner.track(this);
        }
        return wasPending;
    }

    @Override
    public boolean isPending() {
        TimerHandle in = inner;
        return in != null && in.isPending() && !owner.isClosed();
    }

    @Override
    public boolean isPeriodic() {
        return periodic;
    }

    @Override
    public long deadlineNanos() {
        return inner.deadlineNanos();
    }

    @Override
    public String toString() {
        // Not inner's toString: it prints its task, which is this timer.
        TimerHandle in = inner;
        return "ChannelTimer[" + owner.channel() + (isPending() ? ", pending" : ", not pending")
                + (in != null ? ", deadline=" + in.deadlineNanos() : "") + ", task=" + task + ']';
    }
}
