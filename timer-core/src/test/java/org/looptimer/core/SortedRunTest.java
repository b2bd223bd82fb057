package org.looptimer.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The run on its own: it takes only entries that keep its order, hands them back head first
 * across holes and growth, and refuses a renewed sequence that would hide an equal-keyed
 * successor.
 */
class SortedRunTest {

    private final SortedRun run = new SortedRun();
    private final NearHeap heap = new NearHeap();
    private int seq;

    @Test
    void takesEntriesInOrderAndRefusesAnEarlierOneWithoutChangingAnything() {
        HeapTimer a = offer(10);
        HeapTimer b = offer(10); // an equal key armed later: in order
        HeapTimer c = offer(20);

        HeapTimer early = timer(15);
        assertFalse(run.offer(early, 15, seq++));
        assertFalse(run.offer(early, 20, -1), "an equal key armed earlier than the last");
        assertEquals(-1, early.index);

        assertEquals(3, run.size());
        assertEquals(List.of(a, b, c), drain());
        assertEquals(DeadlineQueue.EMPTY, run.headKey());
    }

    @Test
    void removalsLeaveHolesThatTheHeadAndTheTailStepOver() {
        HeapTimer a = offer(10);
        HeapTimer b = offer(20);
        HeapTimer c = offer(30);
        HeapTimer d = offer(40);

        run.remove(b); // a hole in the middle
        assertEquals(-1, b.index);
        run.remove(a); // the head: it steps over the hole to c
        assertSame(c, run.head());
        assertEquals(30, run.headKey());
        run.remove(d); // the tail
        assertFalse(run.offer(timer(25), 25, seq++), "c is the last entry now");
        HeapTimer e = offer(35);

        assertEquals(List.of(c, e), drain());
    }

    @Test
    void growingAcrossTheRingsWrapKeepsOrderAndIndexes() {
        List<HeapTimer> expected = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            expected.add(offer(i));
        }
        for (int i = 0; i < 10; i++) {
            assertSame(expected.remove(0), run.removeHead()); // the head moves on: the span wraps
        }
        for (int i = 12; i < 100; i++) {
            expected.add(offer(i));
        }

        for (HeapTimer t : expected) {
            assertTrue(SortedRun.holds(t.index));
            assertEquals(HeapTimer.when(t.word()), run.key(t), "each index still finds its entry");
        }
        assertEquals(expected, drain());
    }

    @Test
    void aRenewedSequenceIsRefusedWhenAnEqualKeyOrAHoleFollows() {
        HeapTimer a = offer(10);
        HeapTimer b = offer(10);
        HeapTimer c = offer(20);
        HeapTimer d = offer(30);
        HeapTimer e = offer(40);

        assertFalse(run.trySetSeq(a, seq++), "b has a's key and must stay after it");
        assertTrue(run.trySetSeq(b, seq++), "the next key is later: the order holds");
        run.remove(d);
        assertFalse(run.trySetSeq(c, seq++), "a hole follows: what is past it is unknown here");
        assertTrue(run.trySetSeq(e, seq++), "the last entry");
        assertEquals(List.of(a, b, c, e), drain());
    }

    @Test
    void sweepDropsRejectedEntriesAndSendsReKeyedOnesToTheHeap() {
        HeapTimer dropped = offer(10);
        HeapTimer kept = offer(20);
        HeapTimer rekeyed = offer(30);
        HeapTimer last = offer(40);

        run.sweep(t -> t == dropped ? -1 : t == rekeyed ? 50 : HeapTimer.when(t.word()), heap);
        heap.restoreFrom(0);

        assertEquals(-1, dropped.index);
        assertEquals(1, heap.size());
        assertSame(rekeyed, heap.timer(0));
        assertEquals(50, heap.key(0));
        assertEquals(List.of(kept, last), drain());
    }

    @Test
    void clearHandsOverEveryEntryAndGivesTheArraysBack() {
        for (int i = 0; i < 100; i++) {
            offer(i);
        }
        List<HeapTimer> all = new ArrayList<>();
        run.clear(all);

        assertEquals(100, all.size());
        assertTrue(all.stream().allMatch(t -> t.index == -1));
        assertEquals(0, run.capacity());
        assertSame(all.get(0), offerTimer(all.get(0)), "usable again after clearing");
    }

    // ------------------------------------------------------------------------------------------

    private HeapTimer offer(long when) {
        return offerTimer(timer(when));
    }

    private HeapTimer offerTimer(HeapTimer t) {
        assertTrue(run.offer(t, HeapTimer.when(t.word()), seq++));
        return t;
    }

    private static HeapTimer timer(long when) {
        return new HeapTimer(null, (Runnable) () -> {}, HeapTimer.pack(when, HeapTimer.PENDING));
    }

    private List<HeapTimer> drain() {
        List<HeapTimer> order = new ArrayList<>();
        while (run.size() > 0) {
            order.add(run.removeHead());
        }
        order.forEach(t -> assertEquals(-1, t.index));
        return order;
    }
}
