package org.looptimer.netty;

import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.looptimer.core.Deadlines;
import org.looptimer.core.TimerHandle;

/**
 * The handle {@link ChannelTimers} returns for a closed channel: never pending, never runs, and
 * {@link #reset} arms nothing. Immutable; any thread.
 */
final class InertTimerHandle implements TimerHandle {

    private final boolean periodic;

    InertTimerHandle(boolean periodic) {
        this.periodic = periodic;
    }

    @Override
    public boolean stop() {
        return false;
    }

    @Override
    public boolean reset(long delay, TimeUnit unit) {
        if (periodic) {
            Deadlines.checkPeriod(delay, unit);
        } else {
            Objects.requireNonNull(unit, "unit");
        }
        return false;
    }

    @Override
    public boolean resetAt(long deadlineNanos) {
        return false;
    }

    @Override
    public boolean isPending() {
        return false;
    }

    @Override
    public boolean isPeriodic() {
        return periodic;
    }

    /** Never armed: {@link Long#MAX_VALUE}, the deadline of a timer that never runs. */
    @Override
    public long deadlineNanos() {
        return Long.MAX_VALUE;
    }

    @Override
    public String toString() {
        return "InertTimerHandle[channel closed]";
    }
}
