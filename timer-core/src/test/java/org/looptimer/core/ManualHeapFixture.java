package org.looptimer.core;

import static java.util.concurrent.TimeUnit.MILLISECONDS;

/**
 * Test base: a {@link TimerHeap} owned by the test thread, driven by a {@link ManualClock} that
 * starts at a non-zero reading so that origin arithmetic is exercised. No test sleeps.
 */
abstract class ManualHeapFixture {

    static final long ORIGIN = 7_000_000_000L;

    final ManualClock clock = new ManualClock(ORIGIN);
    final Recorder rec = new Recorder();
    final TimerHeap heap = newHeap(TimerHeap.builder());

    /** Builds on the calling thread (the test thread), which becomes the owner. */
    TimerHeap newHeap(TimerHeap.Builder builder) {
        return builder.clock(clock).build();
    }

    static long ms(long millis) {
        return MILLISECONDS.toNanos(millis);
    }

    /** Clock reading {@code millis} after the origin. */
    static long at(long millis) {
        return ORIGIN + ms(millis);
    }

    /** Moves the clock to {@code millis} after the origin and runs what is due then. */
    int runAt(long millis) {
        clock.set(at(millis));
        return heap.runDue(clock.nanoTime());
    }

    /** Advances the clock and runs what is due. */
    int advanceAndRun(long millis) {
        clock.advance(millis, MILLISECONDS);
        return heap.runDue(clock.nanoTime());
    }
}
