package org.looptimer.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The owner's queue on its own: near heap and far wheel together keep exact deadline order with
 * first-armed-first ties, and the wheel takes the far entries so the heap stays small.
 */
class DeadlineQueueTest {

    private static final long SECOND = 1_000_000_000L;

    private final DeadlineQueue queue = new DeadlineQueue(FarWheel.DEFAULT_SHIFT);

    @Test
    void equalTimeoutsArmedInOrderWaitInTheWheelAndComeOutInOrder() {
        List<HeapTimer> armed = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            long when = 30 * SECOND + i * 1_000_000L; // a 30 s timeout armed every millisecond
            armed.add(add(when));
        }
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
        queue.touch(idle);

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
        queue.touch(second);

        assertEquals(List.of(first, second), popAll());
    }

    @Test
    void sweepDropsStoppedEntriesFromBothHalvesAndTrims() {
        List<HeapTimer> timers = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            timers.add(add(i % 2 == 0 ? i : 100 * SECOND + i));
        }
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

    // ------------------------------------------------------------------------------------------

    private HeapTimer add(long when) {
        HeapTimer t = new HeapTimer(null, (Runnable) () -> {}, HeapTimer.pack(when, HeapTimer.PENDING));
        queue.add(t, when);
        return t;
    }

    private static void setWhen(HeapTimer t, long when) {
        assertTrue(t.arm(t.word(), when, false));
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
