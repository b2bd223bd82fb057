package org.looptimer.core;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Never early: no timer, on any API or thread, runs before the clock reading at the call plus its
 * delay, however stale the owner's last pass is.
 */
class NeverEarlyTest extends ManualHeapFixture {

    @Test
    void ownerResetMeasuresFromTheCallNotFromTheLastPass() {
        TimerHandle t = heap.schedule(rec.task("t"), 1, SECONDS);
        clock.advance(900, MILLISECONDS);
        assertTrue(t.reset(1, SECONDS));
        clock.advance(900, MILLISECONDS);
        assertEquals(0, heap.runDue(clock.nanoTime()), "1.8 s: only 900 ms after the reset");
        assertEquals(at(1900), t.deadlineNanos());
        assertEquals(0, runAt(1900 - 1) + heap.runDue(at(1900) - 1));
        assertEquals(1, runAt(1900));
    }

    @Test
    void scheduleInsideASlowPassCountsFromTheCall() {
        runAt(0);
        clock.advance(80, MILLISECONDS); // a handler that ran for 80 ms since the pass read the clock
        TimerHandle t = heap.schedule(rec.task("t"), 20, MILLISECONDS);
        assertEquals(at(100), t.deadlineNanos());
        assertEquals(0, runAt(99));
        assertEquals(1, runAt(100));
    }

    @Test
    void scheduleFromACallbackCountsFromTheCallNotFromThePassTime() {
        TimerHandle[] inner = new TimerHandle[1];
        heap.schedule(
                () -> {
                    clock.advance(30, MILLISECONDS); // this callback is slow
                    inner[0] = heap.schedule(rec.task("inner"), 10, MILLISECONDS);
                },
                10,
                MILLISECONDS);
        assertEquals(1, runAt(10), "the outer callback ran; inner waits");
        assertEquals(at(50), inner[0].deadlineNanos(), "10 ms after the clock read in the callback");
        assertEquals(0, runAt(49));
        assertEquals(1, runAt(50));
    }

    @Test
    void tickerResetRunsOnePeriodAfterTheResetAndThenEveryPeriod() {
        TimerHandle ticker = heap.scheduleTicker(rec.task("tick"), 10, MILLISECONDS);
        runAt(0);
        clock.advance(5, MILLISECONDS);
        ticker.reset(100, MILLISECONDS);
        assertEquals(at(105), ticker.deadlineNanos());
        assertEquals(0, runAt(104));
        assertEquals(1, runAt(105));
        assertEquals(0, runAt(204));
        assertEquals(1, runAt(205));
    }

    @Test
    void firstTickOfATickerIsOnePeriodAfterTheCall() {
        runAt(0);
        clock.advance(7, MILLISECONDS);
        TimerHandle ticker = heap.scheduleTicker(rec.task("tick"), 10, MILLISECONDS);
        assertEquals(at(17), ticker.deadlineNanos());
        assertEquals(0, runAt(16));
        assertEquals(1, runAt(17));
    }

    @Test
    void foreignArmingsCountFromTheirOwnReading() {
        runAt(0);
        clock.advance(50, MILLISECONDS);
        TimerHandle t = Foreign.call(() -> heap.schedule(rec.task("t"), 10, MILLISECONDS));
        assertEquals(at(60), t.deadlineNanos());
        clock.advance(5, MILLISECONDS);
        Foreign.run(() -> t.reset(10, MILLISECONDS));
        assertEquals(at(65), t.deadlineNanos());
        assertEquals(0, runAt(64));
        assertEquals(1, runAt(65));
        assertEquals(List.of("t"), rec.runs());
        assertFalse(t.isPending());
    }
}
