package org.looptimer.core;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Owner-only methods refuse other threads, and the owner check is configurable. */
class OwnerThreadCheckTest extends ManualHeapFixture {

    @Test
    void ownerOnlyMethodsThrowOnAForeignThread() {
        heap.schedule(rec.task("t"), 1, MILLISECONDS);
        Map<String, Runnable> ownerOnly = Map.of(
                "beforePoll", heap::beforePoll,
                "afterPoll", heap::afterPoll,
                "runDue", () -> heap.runDue(Long.MAX_VALUE),
                "runDue(limit)", () -> heap.runDue(Long.MAX_VALUE, 10),
                "close", heap::close);
        ownerOnly.forEach((name, call) -> {
            Throwable failure = Foreign.failureOf(call);
            assertInstanceOf(IllegalStateException.class, failure, name);
            assertTrue(failure.getMessage().contains(name.replace("(limit)", "")), failure.getMessage());
        });
        assertEquals(List.of(), rec.runs(), "no refused call ran anything");
        assertEquals(1, runAt(1), "and the heap is intact");
    }

    @Test
    void runDueFromACallbackIsRefused() {
        Throwable[] failure = new Throwable[1];
        heap.schedule(
                () -> {
                    try {
                        heap.runDue(clock.nanoTime());
                    } catch (Throwable t) {
                        failure[0] = t;
                    }
                },
                1,
                MILLISECONDS);
        runAt(1);
        assertInstanceOf(IllegalStateException.class, failure[0]);
    }

    @Test
    void customOwnerCheckDecidesWhoTheOwnerIs() {
        AtomicBoolean inLoop = new AtomicBoolean(false);
        TimerHeap h = newHeap(TimerHeap.builder().ownerCheck(inLoop::get));
        assertThrows(IllegalStateException.class, () -> h.runDue(clock.nanoTime()));

        assertThrows(IllegalStateException.class, h::beforePoll);

        inLoop.set(true);
        h.schedule(rec.task("t"), 1, MILLISECONDS);
        assertEquals(1, h.runDue(at(1)));
        assertEquals(List.of("t"), rec.runs());
    }
}
