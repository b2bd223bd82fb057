package org.looptimer.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The owner's queue on its own: near heap and far wheel together keep exact deadline order with
 * first-armed-first ties, and the wheel takes the far entries so the heap stays small.
 */
class DeadlineQueueTest {

    private static final long SECOND = 1_000_000_000L;

    private DeadlineQueue queue = new DeadlineQueue(FarWheel.DEFAULT_SHIFT);

    @Test
    void equalTimeoutsArmedInOrderWaitInTheWheelAndComeOutInOrder() {
        List<HeapTimer> armed = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            long when = 30 * SECOND + i * 1_000_000L; // a 30 s timeout armed every millisecond
            armed.add(add(when));
        }
        // The nursery keeps the last ones armed since the last pass; it placed the rest as it filled.
        assertTrue(Nursery.holds(armed.get(armed.size() - 1).index));
        assertTrue(armed.get(0).index <= -2);
        queue.advanceTo(0); // a pass places them
        assertTrue(armed.stream().allMatch(t -> t.index <= -2), "every far entry waits in a bucket");

        List<HeapTimer> order = popAll();
        assertEquals(armed, order);
    }

    @Test
    void randomDeadlinesComeOutInExactOrderWithFirstArmedFirstAtTies() {
        SplittableRandom random = new SplittableRandom(7);
        List<long[]> expected = new ArrayList<>(); // {when, arming order}
        List<HeapTimer> timers = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            long when = switch (random.nextInt(4)) {
                case 0 -> random.nextLong(SECOND); // behind the horizon: the heap
                case 1 -> random.nextLong(3_600 * SECOND); // the wheel
                case 2 -> 4 * 3_600 * SECOND + random.nextLong(SECOND); // past the wheel's span
                default -> (long) random.nextInt(50) << (FarWheel.DEFAULT_SHIFT - 2); // ties, some at bucket starts
            };
            timers.add(add(when));
            expected.add(new long[] {when, i});
        }
        expected.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));

        List<HeapTimer> order = popAll();
        assertEquals(expected.size(), order.size());
        for (int i = 0; i < order.size(); i++) {
            assertSame(timers.get((int) expected.get(i)[1]), order.get(i), "position " + i);
        }
    }

    @Test
    void removalAndEarlierKeysInsideABucketKeepTheRestInOrder() {
        List<HeapTimer> timers = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            timers.add(add(10 * SECOND + i)); // one bucket
        }
        for (int i = 0; i < 100; i += 3) {
            queue.remove(timers.get(i));
            assertEquals(-1, timers.get(i).index);
        }
        HeapTimer moved = timers.get(50);
        setWhen(moved, 5 * SECOND); // an earlier re-arm: into an earlier bucket
        queue.decreaseKey(moved, 5 * SECOND);

        List<HeapTimer> order = popAll();
        assertSame(moved, order.get(0));
        List<HeapTimer> rest = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            if (i % 3 != 0 && i != 50) {
                rest.add(timers.get(i));
            }
        }
        assertEquals(rest, order.subList(1, order.size()));
    }

    @Test
    void aLaterReArmInTheWheelMovesOnToALaterBucketWithoutReachingTheHeap() {
        HeapTimer near = add(2 * SECOND);
        HeapTimer idle = add(3 * SECOND);
        setWhen(idle, 600 * SECOND); // re-armed later, lazily: the entry keeps its bucket
        queue.touch(idle, 600 * SECOND);

        assertEquals(2 * SECOND, queue.topKey());
        queue.removeTop();
        assertEquals(600 * SECOND, queue.topKey(), "the cascade re-keyed it to its deadline");
        assertTrue(near.index == -1);
    }

    @Test
    void atEqualDeadlinesAHeapEntryAndAWheelEntryComeOutInArmingOrder() {
        long start = 5L << FarWheel.DEFAULT_SHIFT; // a bucket's first nanosecond
        HeapTimer first = add(start); // waits in the wheel
        HeapTimer second = add(SECOND / 2); // behind the horizon: the heap
        setWhen(second, start); // re-armed later, after first: lazily, it keeps its heap key
        queue.touch(second, start);

        assertEquals(List.of(first, second), popAll());
    }

    @Test
    void sweepDropsStoppedEntriesFromBothHalvesAndTrims() {
        List<HeapTimer> timers = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            timers.add(add(i % 2 == 0 ? i : 100 * SECOND + i));
        }
        queue.advanceTo(0);
        queue.sweep(t -> timers.indexOf(t) % 4 == 0 ? HeapTimer.when(t.word()) : -1);
        assertEquals(2_500, queue.size());
        assertTrue(queue.capacity() <= 2 * 2_500 + 2 * DeadlineQueue.MIN_CAPACITY, "capacity " + queue.capacity());
        List<HeapTimer> order = popAll();
        assertEquals(2_500, order.size());
        assertTrue(order.stream().allMatch(t -> timers.indexOf(t) % 4 == 0));
    }

    @Test
    void clearHandsOverEveryEntryOfBothHalves() {
        List<HeapTimer> timers = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            timers.add(add(i * SECOND * 20)); // heap, wheel and past the span
        }
        List<HeapTimer> all = queue.clear();
        assertEquals(1_000, all.size());
        assertTrue(all.containsAll(timers));
        assertTrue(timers.stream().allMatch(t -> t.index == -1));
        assertEquals(0, queue.size());
        assertEquals(DeadlineQueue.EMPTY, queue.topKey());
        assertFalse(all.isEmpty());
    }

    @Test
    void hourLongTimeoutsWaitInTheOuterWheelAndMoveInBoundedSlicesMinutesAhead() {
        long hour = 3_600 * SECOND;
        List<HeapTimer> armed = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            armed.add(add(hour + i * 10_000L)); // an hour-long timeout every 10 us: one outer bucket
        }
        queue.advanceTo(0);
        assertTrue(armed.stream().allMatch(t -> t.index <= -2 && FarWheel.isOuter(t.index)), "all in the outer wheel");

        queue.advanceTo(hour - 200 * SECOND); // the inner span now reaches past their bucket
        long moved = armed.stream().filter(t -> !FarWheel.isOuter(t.index)).count();
        assertEquals(DeadlineQueue.OUTER_BUDGET, moved, "one bounded slice a pass");
        for (int pass = 1; pass <= 5; pass++) {
            queue.advanceTo(hour - 200 * SECOND + pass);
        }
        assertTrue(armed.stream().noneMatch(t -> FarWheel.isOuter(t.index)), "the rest follow in later passes");
        assertEquals(hour, queue.topKey());
        assertEquals(armed, popAll());
    }

    @Test
    void passesAtRandomIntervalsRunEveryEntryOnceInExactOrder() {
        // Buckets of 1 us inner, 64 us outer: the inner span is 8 ms, the outer's half a second,
        // so these deadlines and gaps cross every level, every span edge and the heap.
        queue = new DeadlineQueue(10);
        long ms = 1_000_000;
        SplittableRandom random = new SplittableRandom(11);
        Map<HeapTimer, Long> armedAt = new HashMap<>(); // pending timer -> its arming order
        long arming = 0;
        long now = 0;
        long[] last = {Long.MIN_VALUE, Long.MIN_VALUE}; // the last (when, arming order) run
        int ran = 0;
        int armed = 0;
        for (int pass = 0; pass < 3_000; pass++) {
            for (int n = random.nextInt(20); n > 0; n--) {
                long when = now
                        + switch (random.nextInt(4)) {
                            case 0 -> random.nextLong(ms); // the heap or the first inner buckets
                            case 1 -> random.nextLong(10 * ms); // inner, or just past its span
                            case 2 -> random.nextLong(SECOND); // outer, or past its span
                            default -> 0; // due at once
                        };
                armedAt.put(add(when), arming++);
                armed++;
            }
            // Lazy later re-arms: they move on between levels when their bucket comes near.
            List<HeapTimer> pending = new ArrayList<>(armedAt.keySet());
            for (int n = Math.min(pending.size(), random.nextInt(5)); n > 0; n--) {
                HeapTimer t = pending.get(random.nextInt(pending.size()));
                long later = HeapTimer.when(t.word()) + random.nextLong(SECOND / 2);
                setWhen(t, later);
                queue.touch(t, later);
                armedAt.put(t, arming++);
            }
            // Gaps from a nanosecond to 20 ms: a pass may come long after the inner span ran out.
            now += random.nextInt(3) == 0 ? random.nextLong(20 * ms) : random.nextLong(1, 100_000);
            queue.advanceTo(now);
            for (long key = queue.topKey(); key <= now; key = queue.topKey()) {
                HeapTimer t = queue.top();
                long when = HeapTimer.when(t.word());
                if (when > key) {
                    queue.moveTopDown(when, false);
                    continue;
                }
                long order = armedAt.remove(t);
                assertTrue(when > last[0] || (when == last[0] && order > last[1]), "exact order");
                last[0] = when;
                last[1] = order;
                queue.removeTop();
                ran++;
            }
            for (HeapTimer t : armedAt.keySet()) {
                assertTrue(HeapTimer.when(t.word()) > now, "nothing due is left behind at pass " + pass);
            }
        }
        ran += popAll().size();
        assertEquals(armed, ran, "every entry came out once");
        assertEquals(0, queue.size());
    }

    @Test
    void anEntryArmedAndRemovedBetweenPassesNeverLeavesTheNursery() {
        HeapTimer idle = add(100 * SECOND);
        queue.advanceTo(0);
        HeapTimer request = add(30 * SECOND);
        assertTrue(Nursery.holds(request.index));
        assertEquals(30 * SECOND, queue.topKey());
        assertFalse(Nursery.holds(request.index), "placed at once: it could be the earliest");

        HeapTimer later = add(200 * SECOND); // later than the top: it may wait in the nursery
        assertEquals(30 * SECOND, queue.topKey());
        assertTrue(Nursery.holds(later.index));
        assertEquals(30 * SECOND, queue.earliestBound());
        queue.remove(later);
        assertEquals(-1, later.index);
        assertEquals(2, queue.size());
        assertEquals(List.of(request, idle), popAll());
    }

    @Test
    void equalShortTimeoutsArmedInOrderPassThroughTheRunAndNeverMeetTheHeap() {
        queue.advanceTo(0);
        List<HeapTimer> armed = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            armed.add(add(10_000_000L + i * 1_000L)); // a 10 ms timeout armed every microsecond
        }
        queue.advanceTo(0);
        assertTrue(armed.stream().allMatch(t -> SortedRun.holds(t.index)), "every entry in the run");

        // Each expiry re-arms one more period out, as a ticker or an idle timeout does.
        HeapTimer first = armed.get(0);
        assertEquals(10_000_000L, queue.topKey());
        assertSame(first, queue.top());
        setWhen(first, 20_000_000L);
        queue.moveTopDown(20_000_000L, true);
        assertTrue(SortedRun.holds(first.index), "re-armed at the run's end, not into the heap");

        List<HeapTimer> expected = new ArrayList<>(armed.subList(1, armed.size()));
        expected.add(first);
        assertEquals(expected, popAll());
    }

    @Test
    void aTimerThatNeverFiresDoesNotKeepNearerArrivalsOutOfTheRun() {
        queue.advanceTo(0);
        HeapTimer never = add(HeapTimer.NEVER);
        queue.advanceTo(0);
        assertFalse(SortedRun.holds(never.index), "too far for the run");

        HeapTimer a = add(5_000_000L);
        HeapTimer b = add(6_000_000L);
        queue.advanceTo(0);
        assertTrue(SortedRun.holds(a.index) && SortedRun.holds(b.index));
        assertEquals(List.of(a, b, never), popAll());
    }

    @Test
    void aLazilyReArmedRunEntryDoesNotHideAnEqualDeadlineArmedAfterIt() {
        queue.advanceTo(0);
        long k = 5_000_000L;
        HeapTimer a = add(k);
        HeapTimer b = add(k);
        HeapTimer d = add(k + 5);
        HeapTimer c = add(k); // earlier than the run's last: the heap
        queue.advanceTo(0);
        assertTrue(SortedRun.holds(a.index) && SortedRun.holds(b.index) && SortedRun.holds(d.index));
        assertFalse(SortedRun.holds(c.index));

        setWhen(a, k + 100); // a renewed sequence at a's stale key would order a after c, and b behind it
        queue.touch(a, k + 100);

        assertEquals(List.of(b, c, d, a), popAll(), "b was armed before c, at the same deadline");
    }

    // ------------------------------------------------------------------------------------------

    private HeapTimer add(long when) {
        HeapTimer t = new HeapTimer(null, (Runnable) () -> {}, HeapTimer.pack(when, HeapTimer.PENDING));
        queue.add(t, when);
        return t;
    }

    private static void setWhen(HeapTimer t, long when) {
        assertTrue(t.arm(t.word(), when, false, false));
    }

    /** Pops like the owner's pass: an entry whose timer is due later is moved down first. */
    private List<HeapTimer> popAll() {
        List<HeapTimer> order = new ArrayList<>();
        long last = -1;
        for (long key = queue.topKey(); key != DeadlineQueue.EMPTY; key = queue.topKey()) {
            HeapTimer t = queue.top();
            long when = HeapTimer.when(t.word());
            if (when > key) {
                queue.moveTopDown(when, false);
                continue;
            }
            assertTrue(key >= last, "keys come out in order");
            last = key;
            order.add(t);
            queue.removeTop();
        }
        return order;
    }
}
