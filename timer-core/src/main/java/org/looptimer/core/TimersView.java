package org.looptimer.core;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The {@link Timers} of a {@link TimerHeap}, without its driver: what {@link TimerHeap#timers()}
 * hands to users. It holds the heap privately and forwards only the scheduling methods, so neither
 * a call nor a cast reaches {@code close()}, {@code runDue()} or {@code beforePoll()}.
 *
 * <p>Immutable; every method, any thread.
 */
final class TimersView implements Timers {

    private final TimerHeap heap;

    TimersView(TimerHeap heap) {
        this.heap = heap;
    }

    /** The heap behind this view, for {@link AbstractTimer}'s constructor; package-private. */
    TimerHeap heap() {
        return heap;
    }

    @Override
    public TimerHandle schedule(Runnable task, long delay, TimeUnit unit) {
        return heap.schedule(task, delay, unit);
    }

    @Override
    public TimerHandle scheduleAt(Runnable task, long deadlineNanos) {
        return heap.scheduleAt(task, deadlineNanos);
    }

    @Override
    public TimerHandle scheduleTicker(Runnable task, long period, TimeUnit unit) {
        return heap.scheduleTicker(task, period, unit);
    }

    @Override
    public long nextDeadlineNanos() {
        return heap.nextDeadlineNanos();
    }

    @Override
    public TimerStats stats() {
        return heap.stats();
    }

    @Override
    public List<TimerSite> topSites(int n) {
        return heap.topSites(n);
    }

    @Override
    public boolean isClosed() {
        return heap.isClosed();
    }

    @Override
    public String toString() {
        return "Timers[" + heap.stats() + "]";
    }
}
