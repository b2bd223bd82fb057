package org.looptimer.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The nursery's holes: a removal leaves one instead of moving another entry, and the slots come
 * back when the last slot or the last entry goes, so a request timeout armed and cancelled in any
 * order never grows it without bound.
 */
class NurseryTest {

    private final Nursery nursery = new Nursery();

    @Test
    void aRemovalLeavesTheOtherEntriesWhereTheyAre() {
        HeapTimer a = add(10);
        HeapTimer b = add(20);
        HeapTimer c = add(30);

        nursery.remove(a);

        assertEquals(-1, a.index);
        assertEquals(Nursery.BASE + 1, b.index, "nothing moved into the hole");
        assertEquals(Nursery.BASE + 2, c.index);
        assertEquals(2, nursery.size());
        assertEquals(30, nursery.key(c));
    }

    @Test
    void removingTheLastSlotTakesBackTheHolesBeforeIt() {
        add(10);
        HeapTimer b = add(20);
        HeapTimer c = add(30);
        nursery.remove(b); // a hole in the middle

        nursery.remove(c);
        HeapTimer d = add(40);

        assertEquals(Nursery.BASE + 1, d.index, "slots 1 and 2 came back");
    }

    @Test
    void removingEveryEntryInArmingOrderTakesBackEverySlot() {
        List<HeapTimer> armed = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            armed.add(add(i));
        }
        for (HeapTimer t : armed) {
            nursery.remove(t); // the shape of a batch of requests answered in order
        }

        assertEquals(0, nursery.size());
        assertEquals(Long.MAX_VALUE, nursery.min());
        assertEquals(Nursery.BASE, add(5).index);
    }

    @Test
    void holesCountTowardFullnessAndADrainSkipsThem() {
        List<HeapTimer> armed = new ArrayList<>();
        for (int i = 0; i < Nursery.CAPACITY; i++) {
            armed.add(add(1000 + i));
        }
        for (int i = 1; i < Nursery.CAPACITY - 1; i++) {
            nursery.remove(armed.get(i)); // keep the first and the last
        }
        assertEquals(2, nursery.size());
        assertTrue(nursery.isFull(), "no slot left: the queue must place what is here first");

        List<HeapTimer> placed = new ArrayList<>();
        List<Long> keys = new ArrayList<>();
        nursery.drainTo((timer, key, seq) -> {
            placed.add(timer);
            keys.add(key);
        });

        assertEquals(List.of(armed.get(0), armed.get(Nursery.CAPACITY - 1)), placed, "in arming order");
        assertEquals(List.of(1000L, 1000L + Nursery.CAPACITY - 1), keys);
        assertTrue(placed.stream().allMatch(t -> t.index == -1));
        assertFalse(nursery.isFull());
        assertEquals(0, nursery.size());
    }

    private HeapTimer add(long key) {
        HeapTimer t = new HeapTimer(null, (Runnable) () -> {}, HeapTimer.pack(key, HeapTimer.PENDING));
        nursery.add(t, key, (int) key);
        return t;
    }
}
