package org.looptimer.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** {@link TimerHeap#close(java.util.function.Consumer)}: who is told that their timer will never run. */
class TimerHeapCloseTasksTest {

    private final ManualClock clock = new ManualClock();
    private final TimerHeap heap = TimerHeap.builder().clock(clock).build();

    @Test
    void handsOverExactlyThePendingTasks() throws Exception {
        Runnable pending = named("pending");
        Runnable stopped = named("stopped");
        Runnable ran = named("ran");
        Runnable ticker = named("ticker");
        Runnable foreign = named("foreign");
        heap.schedule(pending, 10, TimeUnit.SECONDS);
        heap.schedule(stopped, 10, TimeUnit.SECONDS).stop();
        heap.schedule(ran, 0, TimeUnit.SECONDS);
        heap.scheduleTicker(ticker, 1, TimeUnit.SECONDS);
        Thread other = new Thread(() -> heap.schedule(foreign, 5, TimeUnit.SECONDS));
        other.start();
        other.join();
        heap.runDue(clock.nanoTime());

        List<Runnable> told = new ArrayList<>();
        heap.close(told::add);

        assertEquals(3, told.size(), told.toString());
        assertTrue(told.containsAll(List.of(pending, ticker, foreign)), told.toString());
        assertEquals(0, heap.stats().pendingTimers());
    }

    @Test
    void tasksAreHandedOverAfterTheHeapIsClosed() {
        heap.schedule(named("pending"), 1, TimeUnit.SECONDS);
        AtomicReference<Throwable> rescheduled = new AtomicReference<>();
        heap.close(task -> rescheduled.set(
                assertThrows(RejectedExecutionException.class, () -> heap.schedule(task, 1, TimeUnit.SECONDS))));
        assertTrue(rescheduled.get() instanceof RejectedExecutionException);
    }

    @Test
    void secondCloseHandsOverNothing() {
        heap.schedule(named("pending"), 1, TimeUnit.SECONDS);
        heap.close();
        List<Runnable> told = new ArrayList<>();
        heap.close(told::add);
        assertTrue(told.isEmpty());
        assertFalse(heap.stats().pendingTimers() > 0);
    }

    private static Runnable named(String name) {
        return new Runnable() {
            @Override
            public void run() {}

            @Override
            public String toString() {
                return name;
            }
        };
    }
}
