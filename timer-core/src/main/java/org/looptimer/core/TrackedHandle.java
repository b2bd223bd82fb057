package org.looptimer.core;

import java.util.concurrent.TimeUnit;

/**
 * The handle of a timer that leak detection records: it forwards every call to the heap's entry,
 * and it is the one object of the timer that only the application references, so that
 * {@link LeakTracker} learns, through a {@link java.lang.ref.Cleaner}, when the application can no
 * longer reach it. Heaps with {@link LeakDetection#DISABLED} never make one.
 *
 * <p>Immutable; every method, any thread, as {@link TimerHandle}.
 */
final class TrackedHandle implements TimerHandle {

    private final HeapTimer timer;

    TrackedHandle(HeapTimer timer) {
        this.timer = timer;
    }

    @Override
    public boolean stop() {
        return timer.stop();
    }

    @Override
    public boolean reset(long delay, TimeUnit unit) {
        return timer.reset(delay, unit);
    }

    @Override
    public boolean resetAt(long deadlineNanos) {
        return timer.resetAt(deadlineNanos);
    }

    @Override
    public boolean isPending() {
        return timer.isPending();
    }

    @Override
    public boolean isPeriodic() {
        return timer.isPeriodic();
    }

    @Override
    public long deadlineNanos() {
        return timer.deadlineNanos();
    }

    @Override
    public String toString() {
        return timer.toString();
    }
}
