package org.looptimer.core;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** One {@link TimerHeap#runDue} pass: its limit, and callbacks that use the heap re-entrantly. */
class RunDuePassTest extends ManualHeapFixture {

    @Test
    void limitRunsThatManyAndLeavesTheRestDue() {
        for (String name : List.of("a", "b", "c", "d", "e")) {
            heap.schedule(rec.task(name), 1, MILLISECONDS);
        }
        heap.schedule(rec.task("later"), 9, MILLISECONDS);
        assertEquals(2, heap.runDue(at(5), 2));
        assertEquals(List.of("a", "b"), rec.take());
        assertTrue(heap.beforePoll() - at(5) <= 0, "the rest is still due: do not block");
        heap.afterPoll();
        assertEquals(2, heap.runDue(at(5), 2));
        assertEquals(List.of("c", "d"), rec.take());
        assertEquals(1, heap.runDue(at(5), 2));
        assertEquals(List.of("e"), rec.take());
        assertEquals(0, heap.runDue(at(5), 2));
        assertEquals(1, heap.runDue(at(9), 2));
    }

    @Test
    void aLimitThatCannotMakeProgressIsRejectedAndNothingIsLost() {
        heap.schedule(rec.task("a"), 1, MILLISECONDS);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> heap.runDue(at(5), 0));
        assertTrue(e.getMessage().contains("limit"), e.getMessage());
        assertEquals(1, heap.runDue(at(5), 1));
        assertEquals(List.of("a"), rec.take());
    }

    @Test
    void zeroDelayArmedByACallbackWaitsForTheNextPass() {
        int[] chain = new int[1];
        Runnable[] step = new Runnable[1];
        step[0] = () -> {
            chain[0]++;
            heap.schedule(step[0], 0, MILLISECONDS);
        };
        heap.schedule(step[0], 0, MILLISECONDS);
        for (int pass = 1; pass <= 100; pass++) {
            assertEquals(1, heap.runDue(clock.nanoTime()), "pass " + pass);
            assertEquals(pass, chain[0]);
        }
    }

    @Test
    void callbackCanStopAnotherDueTimer() {
        TimerHandle victim = heap.schedule(rec.task("victim"), 2, MILLISECONDS);
        boolean[] stopped = new boolean[1];
        heap.schedule(() -> stopped[0] = victim.stop(), 1, MILLISECONDS);
        assertEquals(1, runAt(5));
        assertTrue(stopped[0]);
        assertEquals(List.of(), rec.runs());
    }

    @Test
    void callbackCanMoveAnotherDueTimerLaterOrEarlier() {
        TimerHandle later = heap.schedule(rec.task("later"), 2, MILLISECONDS);
        TimerHandle earlier = heap.schedule(rec.task("earlier"), 50, MILLISECONDS);
        heap.schedule(
                () -> {
                    later.reset(10, MILLISECONDS); // from the pass time, 5 ms: due at 15
                    earlier.reset(0, MILLISECONDS); // due at 5, but armed in this pass
                },
                1,
                MILLISECONDS);
        assertEquals(1, runAt(5));
        assertEquals(List.of(), rec.take());
        assertEquals(1, runAt(5));
        assertEquals(List.of("earlier"), rec.take());
        assertEquals(0, runAt(14));
        assertEquals(1, runAt(15));
        assertEquals(List.of("later"), rec.take());
        assertEquals(0, runAt(50));
    }

    @Test
    void callbackMovingAPeerLaterDoesNotHoldBackOthersDueNow() {
        // a and b are due at the same instant as the pass; c runs first and moves a later.
        TimerHandle a = heap.schedule(rec.task("a"), 10, MILLISECONDS);
        heap.schedule(rec.task("b"), 10, MILLISECONDS);
        heap.schedule(
                () -> {
                    rec.task("c").run();
                    a.reset(20, MILLISECONDS);
                },
                5,
                MILLISECONDS);
        assertEquals(2, runAt(10));
        assertEquals(List.of("c", "b"), rec.take(), "b was due at 10 and armed before the pass");
        assertEquals(0, runAt(29));
        assertEquals(1, runAt(30));
        assertEquals(List.of("a"), rec.take());
    }

    @Test
    void callbackCanScheduleAndStartTickers() {
        TimerHandle[] created = new TimerHandle[2];
        heap.schedule(
                () -> {
                    created[0] = heap.schedule(rec.task("child"), 3, MILLISECONDS);
                    created[1] = heap.scheduleTicker(rec.task("tick"), 2, MILLISECONDS);
                },
                1,
                MILLISECONDS);
        runAt(1);
        assertEquals(at(4), created[0].deadlineNanos(), "measured from the pass time");
        assertEquals(at(3), created[1].deadlineNanos());
        runAt(5);
        assertEquals(List.of("tick", "child"), rec.runs());
    }

    @Test
    void tickerCanResetItselfAndOthers() {
        TimerHandle other = heap.schedule(rec.task("other"), 100, MILLISECONDS);
        TimerHandle[] self = new TimerHandle[1];
        self[0] = heap.scheduleTicker(
                () -> {
                    rec.task("tick").run();
                    self[0].reset(7, MILLISECONDS);
                    other.reset(1, MILLISECONDS);
                },
                10,
                MILLISECONDS);
        assertEquals(1, runAt(10));
        assertEquals(at(17), self[0].deadlineNanos());
        assertEquals(1, runAt(11));
        assertEquals(1, runAt(17));
        assertEquals(List.of("tick", "other", "tick"), rec.runs());
    }

    @Test
    void runDueBeforeAnythingIsDueRunsNothing() {
        TimerHandle t = heap.schedule(rec.task("t"), 10, MILLISECONDS);
        assertEquals(0, runAt(9));
        assertTrue(t.isPending());
        assertFalse(rec.runs().contains("t"));
    }
}
