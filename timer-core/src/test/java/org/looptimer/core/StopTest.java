package org.looptimer.core;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link TimerHandle#stop()}: true exactly when it prevented a pending run, from any thread. */
class StopTest extends ManualHeapFixture {

    @Test
    void stopOfAPendingTimerReturnsTrueAndPreventsTheRun() {
        TimerHandle t = heap.schedule(rec.task("t"), 10, MILLISECONDS);
        assertTrue(t.stop());
        assertFalse(t.isPending());
        assertEquals(0, runAt(20));
        assertEquals(List.of(), rec.runs());
    }

    @Test
    void stopAfterTheRunReturnsFalse() {
        TimerHandle t = heap.schedule(rec.task("t"), 10, MILLISECONDS);
        runAt(10);
        assertFalse(t.stop());
    }

    @Test
    void secondStopReturnsFalse() {
        TimerHandle t = heap.schedule(rec.task("t"), 10, MILLISECONDS);
        assertTrue(t.stop());
        assertFalse(t.stop());
    }

    @Test
    void stopAfterCloseReturnsFalse() {
        TimerHandle t = heap.schedule(rec.task("t"), 10, MILLISECONDS);
        heap.close();
        assertFalse(t.stop(), "close already disarmed it; this stop prevented nothing");
        assertFalse(Foreign.call(t::stop));
    }

    @Test
    void stopOfADueTimerBeforeTheRunDuePreventsIt() {
        TimerHandle t = heap.schedule(rec.task("t"), 0, MILLISECONDS);
        assertTrue(t.stop());
        assertEquals(0, heap.runDue(clock.nanoTime()));
        assertEquals(List.of(), rec.runs());
    }

    @Test
    void foreignStopReturnsTrueOnceAndPreventsTheRun() {
        TimerHandle t = heap.schedule(rec.task("t"), 10, MILLISECONDS);
        heap.schedule(rec.task("other"), 10, MILLISECONDS);

        assertTrue(Foreign.call(t::stop));
        assertFalse(t.isPending());
        assertFalse(Foreign.call(t::stop));
        assertFalse(t.stop());

        assertEquals(1, runAt(10));
        assertEquals(List.of("other"), rec.runs());
        assertEquals(0, heap.stats().deletedEntries(), "the stopped entry left the heap when it surfaced");
    }

    @Test
    void foreignStopAfterTheRunReturnsFalse() {
        TimerHandle t = heap.schedule(rec.task("t"), 10, MILLISECONDS);
        runAt(10);
        assertFalse(Foreign.call(t::stop));
    }

    @Test
    void ownerStopOfAForeignScheduledTimerStillInTheInbox() {
        TimerHandle t = Foreign.call(() -> heap.schedule(rec.task("t"), 5, MILLISECONDS));
        assertTrue(t.stop(), "pending although the owner has not drained it yet");
        assertFalse(t.stop());
        assertEquals(0, runAt(10));
        assertEquals(List.of(), rec.runs());
        assertEquals(0, heap.stats().deletedEntries());
        assertEquals(0, heap.stats().heapEntries());
        assertEquals(0, heap.stats().pendingTimers());
    }

    @Test
    void foreignStopOfAForeignScheduledTimerStillInTheInbox() {
        TimerHandle t = Foreign.call(() -> heap.schedule(rec.task("t"), 5, MILLISECONDS));
        assertTrue(Foreign.call(t::stop));
        assertEquals(0, runAt(10));
        assertEquals(List.of(), rec.runs());
        assertEquals(0, heap.stats().deletedEntries());
    }

    @Test
    void stopOfATickerReturnsTrueAndEndsIt() {
        TimerHandle ticker = heap.scheduleTicker(rec.task("tick"), 10, MILLISECONDS);
        runAt(10);
        assertTrue(ticker.isPending(), "a ticker stays armed between ticks");
        assertTrue(ticker.stop());
        assertFalse(ticker.stop());
        assertEquals(0, runAt(100));
        assertEquals(List.of("tick"), rec.runs());
    }

    @Test
    void tickerStoppingItselfInItsCallbackNeverRunsAgain() {
        TimerHandle[] self = new TimerHandle[1];
        boolean[] stopResult = new boolean[1];
        self[0] = heap.scheduleTicker(
                () -> {
                    rec.task("tick").run();
                    stopResult[0] = self[0].stop();
                },
                10,
                MILLISECONDS);
        runAt(10);
        assertTrue(stopResult[0], "the next tick was armed, so stop prevented it");
        assertEquals(0, runAt(50));
        assertEquals(List.of("tick"), rec.runs());
    }

    @Test
    void oneShotStoppingItselfInItsCallbackReturnsFalse() {
        TimerHandle[] self = new TimerHandle[1];
        boolean[] stopResult = {true};
        self[0] = heap.schedule(() -> stopResult[0] = self[0].stop(), 10, MILLISECONDS);
        runAt(10);
        assertFalse(stopResult[0], "it is already running, there is nothing left to prevent");
    }
}
