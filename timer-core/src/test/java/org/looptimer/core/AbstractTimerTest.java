package org.looptimer.core;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

/** {@link AbstractTimer}: an object of the adapter's is the heap entry and its own callback. */
class AbstractTimerTest extends ManualHeapFixture {

    /** What an adapter writes: runs its task unless dropped, and hears about close. */
    static final class Entry extends AbstractTimer {
        final List<String> events = new ArrayList<>();

        Entry(Timers timers, String task) {
            super(timers, task);
        }

        /** Armed by its constructor when that takes no atomic instruction. */
        Entry(Timers timers, String task, long deadlineNanos) {
            super(timers, task, deadlineNanos);
        }

        @Override
        protected void run() {
            Object task = task();
            events.add("ran " + task);
        }

        @Override
        protected void disarmedByClose() {
            events.add("closed");
        }

        void drop() {
            dropTask();
        }
    }

    @Test
    void aNewTimerIsIdleUntilArmedAndThenRunsItselfOnce() {
        Entry e = new Entry(heap.timers(), "t");
        assertFalse(e.isPending());
        assertEquals(0, heap.stats().pendingTimers());
        assertFalse(e.resetAt(at(10)), "it was not pending");
        assertTrue(e.isPending());
        assertEquals(at(10), e.deadlineNanos());
        assertEquals(0, runAt(9));
        assertEquals(1, runAt(10));
        assertEquals(List.of("ran t"), e.events);
        assertFalse(e.isPending());
        assertEquals(0, runAt(100));
        assertEquals(List.of("ran t"), e.events);
    }

    @Test
    void madeOnTheOwnerItIsArmedByItsConstructorAndRunsOnceAtItsDeadline() {
        Entry e = new Entry(heap.timers(), "t", at(10));
        assertTrue(e.isPending());
        assertEquals(at(10), e.deadlineNanos());
        assertEquals(1, heap.stats().pendingTimers());
        assertEquals(at(10), heap.nextDeadlineNanos());
        assertEquals(0, runAt(9), "never early");
        assertEquals(1, runAt(10));
        assertEquals(List.of("ran t"), e.events);
        assertEquals(0, heap.stats().pendingTimers());
    }

    @Test
    void armedByItsConstructorItStopsAndReArmsAsAnyTimer() {
        Entry e = new Entry(heap, "t", at(10));
        assertTrue(e.stop());
        assertFalse(e.isPending());
        assertEquals(0, heap.stats().pendingTimers());
        assertFalse(e.resetAt(at(20)));
        Entry stoppedElsewhere = new Entry(heap, "u", at(15));
        assertTrue(Foreign.call(stoppedElsewhere::stop));
        assertEquals(0, runAt(19));
        assertEquals(1, runAt(20));
        assertEquals(List.of("ran t"), e.events);
        assertEquals(List.of(), stoppedElsewhere.events);
    }

    @Test
    void madeElsewhereOrForALimitedOrClosedHeapItIsBornIdle() {
        Entry foreign = Foreign.call(() -> new Entry(heap.timers(), "f", at(10)));
        assertFalse(foreign.isPending(), "another thread: the constructor leaves it to resetAt");
        Foreign.run(() -> foreign.resetAt(at(10)));

        TimerHeap limited = TimerHeap.builder().clock(clock).maxTimers(1).build();
        Entry counted = new Entry(limited.timers(), "l", at(10));
        assertFalse(counted.isPending(), "a limit's count is atomic: resetAt arms it");
        assertFalse(counted.resetAt(at(10)));
        assertThrows(RejectedExecutionException.class, () -> new Entry(limited, "m", at(10)).resetAt(at(10)));

        TimerHeap closed = TimerHeap.builder().clock(clock).build();
        closed.close();
        Entry late = new Entry(closed, "c", at(10));
        assertFalse(late.isPending());
        assertThrows(RejectedExecutionException.class, () -> late.resetAt(at(10)));

        assertEquals(1, runAt(10));
        assertEquals(List.of("ran f"), foreign.events);
    }

    @Test
    void itIsReArmedAndStoppedAsAnyTimer() {
        Entry e = new Entry(heap, "t");
        e.resetAt(at(10));
        assertTrue(e.resetAt(at(20)));
        runAt(15);
        assertTrue(e.stop());
        runAt(30);
        assertEquals(List.of(), e.events);
        e.reset(5, MILLISECONDS); // from the clock reading now, 30 ms
        runAt(35);
        assertEquals(List.of("ran t"), e.events);
    }

    @Test
    void armedFromAnotherThreadItReachesTheHeapThroughTheInbox() {
        Entry e = new Entry(heap.timers(), "t");
        Foreign.run(() -> e.resetAt(at(10)));
        assertEquals(1, runAt(10));
        assertEquals(List.of("ran t"), e.events);
    }

    @Test
    void aDroppedTaskIsGoneWhileTheStoppedEntryStillWaits() {
        Entry e = new Entry(heap.timers(), "t");
        e.resetAt(at(10));
        heap.schedule(rec.task("other"), 5, MILLISECONDS);
        Foreign.run(() -> assertTrue(e.stop())); // lazy: the entry stays in the heap
        e.drop();
        assertNull(e.task());
        assertEquals(1, heap.stats().deletedEntries());
        runAt(10);
        assertEquals(List.of(), e.events);
    }

    @Test
    void closeTellsAPendingTimerOnceAndAnIdleOneNever() {
        Entry pending = new Entry(heap.timers(), "p");
        Entry idle = new Entry(heap.timers(), "i");
        pending.resetAt(at(10));
        List<Runnable> handedOver = new ArrayList<>();
        heap.close(handedOver::add);
        assertEquals(List.of("closed"), pending.events);
        assertEquals(List.of(), idle.events);
        assertEquals(List.of(), handedOver, "an AbstractTimer is told itself, not handed over");
        RejectedExecutionException e = assertThrows(RejectedExecutionException.class, () -> idle.resetAt(at(20)));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertFalse(idle.isPending());
    }

    @Test
    void aFullHeapRejectsTheArmingAndTheTimerStaysIdle() {
        TimerHeap limited = newHeap(TimerHeap.builder().maxTimers(1));
        limited.schedule(rec.task("a"), 1, MILLISECONDS);
        Entry e = new Entry(limited.timers(), "t");
        assertThrows(RejectedExecutionException.class, () -> e.resetAt(at(10)));
        assertFalse(e.isPending());
        assertEquals(1, limited.stats().pendingTimers());
    }

    @Test
    void onlyAHeapsTimersCanMakeOne() {
        NullPointerException npe = assertThrows(NullPointerException.class, () -> new Entry(null, "t"));
        assertEquals("timers", npe.getMessage());
        Timers elsewhere = new Timers() {
            @Override
            public TimerHandle schedule(Runnable task, long delay, java.util.concurrent.TimeUnit unit) {
                throw new UnsupportedOperationException();
            }

            @Override
            public TimerHandle scheduleAt(Runnable task, long deadlineNanos) {
                throw new UnsupportedOperationException();
            }

            @Override
            public TimerHandle scheduleTicker(Runnable task, long period, java.util.concurrent.TimeUnit unit) {
                throw new UnsupportedOperationException();
            }

            @Override
            public long nextDeadlineNanos() {
                return Long.MAX_VALUE;
            }

            @Override
            public TimerStats stats() {
                throw new UnsupportedOperationException();
            }

            @Override
            public boolean isClosed() {
                return false;
            }

            @Override
            public java.util.List<TimerSite> topSites(int n) {
                return java.util.List.of();
            }
        };
        assertThrows(IllegalArgumentException.class, () -> new Entry(elsewhere, "t"));
    }
}
