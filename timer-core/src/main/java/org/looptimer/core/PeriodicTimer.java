package org.looptimer.core;

import java.util.concurrent.TimeUnit;

/**
 * A ticker: a {@link HeapTimer} that re-arms itself one period after each run, skipping the runs
 * it fell behind on. Its states are {@link HeapTimer}'s.
 *
 * <p>{@link #period} is volatile: {@link #reset} may change it on any thread while the owner reads
 * it to compute the next tick. Reset writes the period before its CAS on the word, and the owner
 * reads it after reading the word, so an owner that sees the new word sees the new period.
 */
final class PeriodicTimer extends HeapTimer {

    private volatile long period;

    PeriodicTimer(TimerHeap heap, Runnable task, long initialWord, long periodNanos) {
        super(heap, task, initialWord);
        this.period = periodNanos;
    }

    @Override
    long period() {
        return period;
    }

    /** Any thread, right before the CAS that arms the timer with it. */
    void period(long periodNanos) {
        this.period = periodNanos;
    }

    /** Takes {@code period} as the new period and runs next one period from now. */
    @Override
    public boolean reset(long period, TimeUnit unit) {
        long periodNanos = Deadlines.checkPeriod(period, unit);
        return heap.reset(this, periodNanos, periodNanos);
    }
}
