package org.looptimer.core;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.NANOSECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Timers due at the same instant run in the order they were armed on the owner. */
class EqualDeadlineOrderTest extends ManualHeapFixture {

    @Test
    void equalDeadlinesRunInSchedulingOrder() {
        for (String name : List.of("a", "b", "c", "d", "e")) {
            heap.schedule(rec.task(name), 10, MILLISECONDS);
        }
        runAt(10);
        assertEquals(List.of("a", "b", "c", "d", "e"), rec.runs());
    }

    @Test
    void thousandsOfTimersRunSortedByDeadlineThenSchedulingOrder() {
        SplittableRandom random = new SplittableRandom(42);
        record Armed(long deadline, int order, String name) {}
        List<Armed> armed = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            long delay = random.nextInt(6); // few distinct deadlines: lots of ties
            String name = "t" + i;
            heap.schedule(rec.task(name), delay, NANOSECONDS);
            armed.add(new Armed(delay, i, name));
        }
        armed.sort(Comparator.comparingLong(Armed::deadline).thenComparingInt(Armed::order));
        List<String> expected = armed.stream().map(Armed::name).toList();

        heap.runDue(ORIGIN + 2);
        heap.runDue(ORIGIN + 5);
        assertEquals(expected, rec.runs());
    }

    @Test
    void resetToTheSameDeadlineMovesATimerBehindItsPeers() {
        TimerHandle a = heap.schedule(rec.task("a"), 10, MILLISECONDS);
        heap.schedule(rec.task("b"), 10, MILLISECONDS);
        heap.schedule(rec.task("c"), 10, MILLISECONDS);
        assertTrue(a.reset(10, MILLISECONDS));
        runAt(10);
        assertEquals(List.of("b", "c", "a"), rec.runs(), "a reset is a new arming");
    }

    @Test
    void lazyLaterResetOrdersByTheResetNotByTheFirstArming() {
        TimerHandle a = heap.schedule(rec.task("a"), 5, MILLISECONDS);
        heap.schedule(rec.task("b"), 10, MILLISECONDS);
        a.reset(10, MILLISECONDS);
        heap.schedule(rec.task("c"), 10, MILLISECONDS);
        runAt(10);
        assertEquals(List.of("b", "a", "c"), rec.runs());
    }

    @Test
    void earlierResetOrdersByTheReset() {
        TimerHandle a = heap.schedule(rec.task("a"), 20, MILLISECONDS);
        heap.schedule(rec.task("b"), 10, MILLISECONDS);
        a.reset(10, MILLISECONDS);
        heap.schedule(rec.task("c"), 10, MILLISECONDS);
        runAt(10);
        assertEquals(List.of("b", "a", "c"), rec.runs());
    }

    @Test
    void lazilyReArmingOneOfAGroupDoesNotScrambleTheRestOfIt() {
        // 64 timers armed in one pass with the same deadline: FIFO. Moving some of them later
        // (a lazy re-arm: their entries stay put) must not change the order of the others.
        List<TimerHandle> group = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            group.add(heap.schedule(rec.task("g" + i), 10, MILLISECONDS));
        }
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            if (i % 5 == 1) {
                group.get(i).reset(20, MILLISECONDS);
            } else {
                expected.add("g" + i);
            }
        }
        runAt(10);
        assertEquals(expected, rec.runs());
    }

    @Test
    void aTickersNextTickIsArmedWhenItRuns() {
        heap.scheduleTicker(rec.task("T"), 10, MILLISECONDS);
        heap.schedule(rec.task("x"), 10, MILLISECONDS);
        heap.schedule(rec.task("y"), 20, MILLISECONDS); // armed before T's second tick
        runAt(10);
        heap.schedule(rec.task("z"), 10, MILLISECONDS); // armed after it
        runAt(20);
        assertEquals(List.of("T", "x", "y", "T", "z"), rec.runs());
    }

    @Test
    void ownerResetOfATimerStillInTheInboxKeepsItsPlace() {
        // A foreign schedule leaves the timer in the inbox until the owner's next pass. If the
        // owner stops and re-arms it meanwhile, that re-arm is an owner arming like any other.
        TimerHandle a = Foreign.call(() -> heap.schedule(rec.task("a"), 10, MILLISECONDS));
        assertTrue(a.stop());
        a.reset(10, MILLISECONDS);
        heap.schedule(rec.task("b"), 10, MILLISECONDS);
        runAt(10);
        assertEquals(List.of("a", "b"), rec.runs());
    }

    @Test
    void ownerReArmAfterAForeignEarlierResetKeepsItsPlace() {
        TimerHandle a = heap.schedule(rec.task("a"), 30, MILLISECONDS);
        Foreign.run(() -> a.reset(20, MILLISECONDS)); // hands a to the owner through the inbox
        assertTrue(a.stop()); // the owner removes its entry at once
        a.reset(10, MILLISECONDS); // and re-arms it before it drains
        heap.schedule(rec.task("b"), 10, MILLISECONDS);
        runAt(10);
        assertEquals(List.of("a", "b"), rec.runs());
        assertEquals(0, runAt(30));
    }

    @Test
    void ownerLaterReArmWhileAForeignEarlierResetIsInTheInboxKeepsItsPlace() {
        TimerHandle a = heap.schedule(rec.task("a"), 30, MILLISECONDS); // its entry is keyed at 30
        Foreign.run(() -> a.reset(5, MILLISECONDS)); // on its way through the inbox
        a.reset(10, MILLISECONDS); // later than 5, yet earlier than the entry's key
        heap.schedule(rec.task("b"), 10, MILLISECONDS);
        runAt(10);
        assertEquals(List.of("a", "b"), rec.runs(), "a was re-armed on the owner before b");
    }
}
