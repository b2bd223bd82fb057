package org.looptimer.core;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@link TimerHeap#nextDeadlineNanos()} and the deadline {@link TimerHeap#beforePoll()} returns. */
class NextDeadlineTest extends ManualHeapFixture {

    @Test
    void emptyHeapHasNoDeadline() {
        assertEquals(Long.MAX_VALUE, heap.nextDeadlineNanos());
        assertEquals(Long.MAX_VALUE, Foreign.call(heap::nextDeadlineNanos));
        assertEquals(Long.MAX_VALUE, heap.beforePoll());
    }

    @Test
    void earliestPendingDeadlineOnTheOwner() {
        TimerHandle b = heap.schedule(rec.task("b"), 20, MILLISECONDS);
        assertEquals(at(20), heap.nextDeadlineNanos());
        TimerHandle a = heap.schedule(rec.task("a"), 10, MILLISECONDS);
        heap.schedule(rec.task("c"), 30, MILLISECONDS);
        assertEquals(at(10), heap.nextDeadlineNanos());
        assertEquals(at(10), Foreign.call(heap::nextDeadlineNanos));

        a.stop();
        assertEquals(at(20), heap.nextDeadlineNanos());
        b.reset(40, MILLISECONDS);
        assertEquals(at(30), heap.nextDeadlineNanos(), "a lazily re-armed entry is looked through");
        runAt(30);
        assertEquals(at(40), heap.nextDeadlineNanos());
        runAt(40);
        assertEquals(Long.MAX_VALUE, heap.nextDeadlineNanos());
    }

    @Test
    void foreignStopErrsEarlyForOtherThreadsUntilTheOwnerLooks() {
        TimerHandle a = heap.schedule(rec.task("a"), 10, MILLISECONDS);
        heap.schedule(rec.task("b"), 20, MILLISECONDS);
        Foreign.run(a::stop);
        assertEquals(at(10), Foreign.call(heap::nextDeadlineNanos), "early, never late");
        assertEquals(at(20), heap.nextDeadlineNanos(), "the owner drops the stopped top");
        assertEquals(at(20), Foreign.call(heap::nextDeadlineNanos), "and publishes the result");
    }

    @Test
    void foreignScheduleCountsOnceTheOwnerDrainsIt() {
        heap.schedule(rec.task("far"), 2_000, MILLISECONDS);
        Foreign.run(() -> heap.schedule(rec.task("near"), 10, MILLISECONDS));
        assertEquals(at(2_000), heap.nextDeadlineNanos(), "not drained yet");
        assertEquals(at(10), heap.beforePoll(), "beforePoll drains it");
        heap.afterPoll();
        assertEquals(at(10), heap.nextDeadlineNanos());
    }

    @Test
    void beforePollReturnsADeadlineAtOrBeforeNowWhenSomethingIsDue() {
        heap.schedule(rec.task("due"), 0, MILLISECONDS);
        long deadline = heap.beforePoll();
        assertTrue(deadline - clock.nanoTime() <= 0, "do not block: a timer is due");
        heap.afterPoll();
        assertEquals(1, heap.runDue(clock.nanoTime()));
        assertEquals(Long.MAX_VALUE, heap.beforePoll());
    }

    @Test
    void beforePollSkipsStoppedEntriesAndLazyReArms() {
        TimerHandle a = heap.schedule(rec.task("a"), 10, MILLISECONDS);
        TimerHandle b = heap.schedule(rec.task("b"), 20, MILLISECONDS);
        heap.schedule(rec.task("c"), 30, MILLISECONDS);
        Foreign.run(a::stop);
        Foreign.run(() -> b.reset(50, MILLISECONDS));
        assertEquals(at(30), heap.beforePoll());
    }
}
