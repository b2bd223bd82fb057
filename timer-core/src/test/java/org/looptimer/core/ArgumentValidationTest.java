package org.looptimer.core;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Bad input: NullPointerException naming the argument, IllegalArgumentException for bad numbers. */
class ArgumentValidationTest extends ManualHeapFixture {

    // A shared no-op task: a constant reads better than a method reference at each call site.
    @SuppressWarnings("UnnecessaryLambda")
    private static final Runnable NOOP = () -> {};

    private static void assertNpeNaming(String argument, Executable call) {
        NullPointerException e = assertThrows(NullPointerException.class, call);
        assertEquals(argument, e.getMessage());
    }

    @Test
    void scheduleRejectsNulls() {
        assertNpeNaming("task", () -> heap.schedule(null, 1, MILLISECONDS));
        assertNpeNaming("unit", () -> heap.schedule(NOOP, 1, null));
        assertNpeNaming("task", () -> heap.scheduleTicker(null, 1, MILLISECONDS));
        assertNpeNaming("unit", () -> heap.scheduleTicker(NOOP, 1, null));
        assertEquals(0, heap.stats().pendingTimers(), "a rejected call arms nothing");
    }

    @Test
    void foreignScheduleRejectsNulls() {
        assertNpeNaming("task", () -> Foreign.run(() -> heap.schedule(null, 1, MILLISECONDS)));
        assertNpeNaming("unit", () -> Foreign.run(() -> heap.scheduleTicker(NOOP, 1, null)));
        assertEquals(0, heap.stats().pendingTimers());
    }

    @Test
    void resetRejectsANullUnitAndKeepsTheArming() {
        TimerHandle oneShot = heap.schedule(NOOP, 10, MILLISECONDS);
        TimerHandle ticker = heap.scheduleTicker(NOOP, 10, MILLISECONDS);
        assertNpeNaming("unit", () -> oneShot.reset(1, null));
        assertNpeNaming("unit", () -> ticker.reset(1, null));
        assertNpeNaming("unit", () -> Foreign.run(() -> oneShot.reset(1, null)));
        assertEquals(at(10), oneShot.deadlineNanos());
        assertEquals(2, runAt(10));
    }

    @Test
    void builderRejectsNullsAndANonPositiveLimit() {
        assertNpeNaming("clock", () -> TimerHeap.builder().clock(null));
        assertNpeNaming("waker", () -> TimerHeap.builder().waker(null));
        assertNpeNaming("ownerCheck", () -> TimerHeap.builder().ownerCheck(null));
        assertNpeNaming("failureHandler", () -> TimerHeap.builder().failureHandler(null));
        assertThrows(IllegalArgumentException.class, () -> TimerHeap.builder().maxTimers(0));
        assertThrows(IllegalArgumentException.class, () -> TimerHeap.builder().maxTimers(-1));
    }

    @Test
    void manualClockRejectsGoingBackAndNullUnits() {
        assertThrows(IllegalArgumentException.class, () -> clock.advance(-1, MILLISECONDS));
        assertNpeNaming("unit", () -> clock.advance(1, null));
        assertEquals(ORIGIN, clock.nanoTime());
    }

    @Test
    void timerThreadRejectsNulls() {
        assertNpeNaming("name", () -> new TimerThread(null));
        assertNpeNaming("builder", () -> new TimerThread("t", null));
    }
}
