package org.looptimer.core;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Users get {@link Timers}; only the owner gets the driver. The view schedules on the heap, and
 * nothing reachable from it (a call, a cast, a returned handle) leads to close, runDue or
 * beforePoll.
 */
class TimersViewTest extends ManualHeapFixture {

    @Test
    void theViewSchedulesOnTheHeap() {
        Timers timers = heap.timers();
        assertSame(timers, heap.timers(), "one view per heap");
        TimerHandle t = timers.schedule(rec.task("t"), 5, MILLISECONDS);
        timers.scheduleAt(rec.task("at"), at(6));
        timers.scheduleTicker(rec.task("tick"), 7, MILLISECONDS);
        assertEquals(at(5), timers.nextDeadlineNanos());
        assertEquals(3, timers.stats().pendingTimers());
        assertEquals(3, runAt(7));
        assertEquals(List.of("t", "at", "tick"), rec.runs());
        assertFalse(t.isPending());
        heap.close();
        assertTrue(timers.isClosed());
    }

    @Test
    void theViewIsNotTheDriverAndCannotBecomeIt() {
        Timers timers = heap.timers();
        assertFalse(timers instanceof TimerHeap, "a cast would reach the driver");
        assertFalse(timers instanceof AutoCloseable, "try-with-resources would close the loop's timers");
        for (Class<?> type : List.of(timers.getClass(), TimerHandle.class, TimerStats.class)) {
            for (Method m : type.getMethods()) {
                if (Modifier.isPublic(m.getModifiers())) {
                    assertFalse(TimerHeap.class.isAssignableFrom(m.getReturnType()), type + "." + m.getName());
                }
            }
        }
        assertFalse(Modifier.isPublic(timers.getClass().getModifiers()), "its class is not public API");
        TimerHandle handle = timers.schedule(() -> {}, 1, MILLISECONDS);
        assertFalse(Modifier.isPublic(handle.getClass().getModifiers()), "nor is the handle's");
    }

    @Test
    void timerThreadHandsOutTheViewOnly() {
        try (TimerThread thread = new TimerThread("view-test")) {
            Timers timers = thread.timers();
            assertFalse(timers instanceof TimerHeap);
            assertFalse(timers instanceof AutoCloseable);
            for (Method m : TimerThread.class.getMethods()) {
                assertFalse(TimerHeap.class.isAssignableFrom(m.getReturnType()), "TimerThread." + m.getName());
            }
        }
    }
}
