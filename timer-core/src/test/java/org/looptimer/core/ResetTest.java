package org.looptimer.core;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link TimerHandle#reset}: re-arms a pending, fired or stopped timer and says whether it was
 * pending; earlier and later, on the owner and from a foreign thread.
 */
class ResetTest extends ManualHeapFixture {

    @Test
    void resetOfAPendingTimerReturnsTrueAndItRunsOnceAtTheNewDeadline() {
        TimerHandle t = heap.schedule(rec.task("t"), 10, MILLISECONDS);
        assertTrue(t.reset(30, MILLISECONDS));
        assertEquals(at(30), t.deadlineNanos());
        assertEquals(0, runAt(29));
        assertEquals(1, runAt(30));
        assertEquals(0, runAt(100));
        assertEquals(List.of("t"), rec.runs());
    }

    @Test
    void resetOfAFiredTimerReturnsFalseAndArmsItAgain() {
        TimerHandle t = heap.schedule(rec.task("t"), 10, MILLISECONDS);
        runAt(10);
        assertFalse(t.reset(5, MILLISECONDS));
        assertTrue(t.isPending());
        assertEquals(at(15), t.deadlineNanos());
        assertEquals(1, runAt(15));
        assertEquals(List.of("t", "t"), rec.runs());
    }

    @Test
    void resetOfAStoppedTimerReturnsFalseAndArmsItAgain() {
        TimerHandle t = heap.schedule(rec.task("t"), 10, MILLISECONDS);
        assertTrue(t.stop());
        assertFalse(t.reset(20, MILLISECONDS));
        assertTrue(t.isPending());
        assertEquals(0, runAt(10), "the stopped arming stays dead");
        assertEquals(1, runAt(20));
        assertEquals(List.of("t"), rec.runs());
    }

    @Test
    void resetEarlierOnTheOwner() {
        TimerHandle t = heap.schedule(rec.task("t"), 100, MILLISECONDS);
        assertTrue(t.reset(10, MILLISECONDS));
        assertEquals(at(10), heap.nextDeadlineNanos());
        assertEquals(1, runAt(10));
        assertEquals(0, runAt(100), "the old, later arming is gone");
        assertEquals(List.of("t"), rec.runs());
    }

    @Test
    void resetLaterOnTheOwnerIsLazyButExact() {
        TimerHandle t = heap.schedule(rec.task("t"), 10, MILLISECONDS);
        TimerHandle marker = heap.schedule(rec.task("marker"), 50, MILLISECONDS);
        for (int i = 1; i <= 100; i++) {
            runAt(i / 10);
            assertTrue(t.reset(100, MILLISECONDS));
        }
        assertEquals(at(10 + 100), t.deadlineNanos());
        assertEquals(at(50), heap.nextDeadlineNanos(), "the stale entry is not reported");
        assertEquals(1, runAt(109));
        assertEquals(List.of("marker"), rec.take());
        assertEquals(1, runAt(110));
        assertEquals(List.of("t"), rec.take());
        assertFalse(marker.isPending());
        assertEquals(0, heap.stats().heapEntries());
    }

    @Test
    void resetEarlierFromAForeignThread() {
        TimerHandle t = heap.schedule(rec.task("t"), 100, MILLISECONDS);
        assertTrue(Foreign.call(() -> t.reset(10, MILLISECONDS)));
        assertEquals(at(10), t.deadlineNanos());
        assertEquals(1, runAt(10));
        assertEquals(0, runAt(100));
        assertEquals(List.of("t"), rec.runs());
    }

    @Test
    void resetLaterFromAForeignThread() {
        TimerHandle t = heap.schedule(rec.task("t"), 10, MILLISECONDS);
        assertTrue(Foreign.call(() -> t.reset(100, MILLISECONDS)));
        assertEquals(0, runAt(10));
        assertEquals(0, runAt(99));
        assertEquals(1, runAt(100));
        assertEquals(List.of("t"), rec.runs());
    }

    @Test
    void foreignResetOfFiredAndStoppedTimers() {
        TimerHandle fired = heap.schedule(rec.task("fired"), 1, MILLISECONDS);
        TimerHandle stopped = heap.schedule(rec.task("stopped"), 1, MILLISECONDS);
        assertTrue(stopped.stop());
        runAt(1);
        assertEquals(List.of("fired"), rec.take());

        assertFalse(Foreign.call(() -> fired.reset(4, MILLISECONDS)));
        assertFalse(Foreign.call(() -> stopped.reset(5, MILLISECONDS)));
        assertEquals(at(5), fired.deadlineNanos(), "a foreign thread measures from the clock");
        assertEquals(1, runAt(5));
        assertEquals(List.of("fired"), rec.take());
        assertEquals(1, runAt(6));
        assertEquals(List.of("stopped"), rec.take());
    }

    @Test
    void foreignStopThenForeignResetBeforeTheOwnerLooks() {
        TimerHandle t = heap.schedule(rec.task("t"), 10, MILLISECONDS);
        assertTrue(Foreign.call(t::stop));
        assertFalse(Foreign.call(() -> t.reset(20, MILLISECONDS)), "it was stopped");
        assertTrue(Foreign.call(() -> t.reset(5, MILLISECONDS)), "now it is pending again");
        assertEquals(1, runAt(5));
        assertEquals(0, runAt(30));
        assertEquals(List.of("t"), rec.runs());
        assertEquals(0, heap.stats().deletedEntries());
        assertEquals(0, heap.stats().pendingTimers());
    }

    @Test
    void foreignResetAlwaysReadsTheClock() {
        TimerHandle t = heap.schedule(rec.task("t"), 1, MILLISECONDS);
        heap.runDue(at(0));
        clock.advance(5, MILLISECONDS);
        Foreign.run(() -> t.reset(10, MILLISECONDS));
        assertEquals(at(15), t.deadlineNanos());
    }

    @Test
    void timerResetInItsOwnCallbackRunsAgainOnALaterPass() {
        TimerHandle[] self = new TimerHandle[1];
        boolean[] wasPending = {true};
        self[0] = heap.schedule(
                () -> {
                    rec.task("t").run();
                    if (rec.count("t") == 1) {
                        wasPending[0] = self[0].reset(0, MILLISECONDS);
                    }
                },
                10,
                MILLISECONDS);
        assertEquals(1, runAt(10), "zero delay from a callback waits for the next pass");
        assertFalse(wasPending[0]);
        assertEquals(1, runAt(10));
        assertEquals(List.of("t", "t"), rec.runs());
    }

    /**
     * A stopped entry whose earlier re-arm was drained while it was stopped must still have its
     * key moved up: a later reset revives the entry lazily, trusting its key.
     */
    @Test
    void ownerResetOfAStoppedEntryDrainedAfterAnEarlierForeignRearmRunsOnTime() {
        TimerHandle t = heap.schedule(rec.task("t"), 1, java.util.concurrent.TimeUnit.HOURS);
        Foreign.run(() -> t.reset(1, MILLISECONDS)); // earlier: handed over through the inbox
        Foreign.run(t::stop);
        heap.beforePoll(); // drains it while stopped
        heap.afterPoll();
        clock.advance(5, MILLISECONDS);
        assertFalse(t.reset(10, MILLISECONDS), "later than the drained deadline: lazy");
        assertEquals(0, runAt(14));
        assertEquals(1, runAt(15), "not an hour late");
        assertEquals(List.of("t"), rec.runs());
    }

    @Test
    void foreignResetOfAStoppedEntryDrainedAfterAnEarlierForeignRearmRunsOnTime() {
        TimerHandle t = heap.schedule(rec.task("t"), 1, java.util.concurrent.TimeUnit.HOURS);
        Foreign.run(() -> t.reset(1, MILLISECONDS));
        Foreign.run(t::stop);
        heap.beforePoll();
        heap.afterPoll();
        clock.advance(5, MILLISECONDS);
        assertFalse(Foreign.call(() -> t.reset(10, MILLISECONDS)));
        assertEquals(0, runAt(14));
        assertEquals(1, runAt(15));
    }
}
