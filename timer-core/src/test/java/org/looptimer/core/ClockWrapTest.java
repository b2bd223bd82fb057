package org.looptimer.core;

import static java.util.concurrent.TimeUnit.NANOSECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A clock whose readings wrap past {@link Long#MAX_VALUE}, as {@code System.nanoTime()} may. */
class ClockWrapTest {

    private final ManualClock clock = new ManualClock(Long.MAX_VALUE - 1_500);
    private final Recorder rec = new Recorder();
    private final TimerHeap heap = TimerHeap.builder().clock(clock).build();

    // The expected deadlines overflow on purpose: they wrap as nanoTime does.
    @SuppressWarnings("ConstantOverflow")
    @Test
    void timersFireInOrderAcrossTheWrap() {
        heap.schedule(rec.task("c"), 3_000, NANOSECONDS);
        heap.schedule(rec.task("a"), 1_000, NANOSECONDS);
        TimerHandle b = heap.schedule(rec.task("b"), 2_000, NANOSECONDS);
        heap.scheduleTicker(rec.task("T"), 700, NANOSECONDS);

        assertEquals(Long.MAX_VALUE - 1_500 + 2_000, b.deadlineNanos(), "wraps like nanoTime");
        assertTrue(b.deadlineNanos() < 0);
        assertEquals(Long.MAX_VALUE - 800, heap.nextDeadlineNanos(), "the ticker, before the wrap");

        clock.advance(1_200, NANOSECONDS); // still before the wrap
        assertEquals(2, heap.runDue(clock.nanoTime()));
        assertEquals(List.of("T", "a"), rec.take());

        clock.advance(1_000, NANOSECONDS); // 2,200 after the origin: past the wrap
        assertTrue(clock.nanoTime() < 0);
        assertEquals(2, heap.runDue(clock.nanoTime()));
        assertEquals(List.of("T", "b"), rec.take());

        long next = heap.beforePoll();
        assertEquals(700 * 4 - 2_200, next - clock.nanoTime(), "a difference, safe across the wrap");
        heap.afterPoll();
        clock.advance(1_000, NANOSECONDS);
        assertEquals(2, heap.runDue(clock.nanoTime()));
        assertEquals(List.of("T", "c"), rec.take());
    }

    @Test
    void originNearTheTopAndHugeDelaysStillClampToNever() {
        TimerHandle never = heap.schedule(rec.task("never"), Long.MAX_VALUE, NANOSECONDS);
        assertEquals(Long.MAX_VALUE, never.deadlineNanos());
        clock.advance(Long.MAX_VALUE / 4, NANOSECONDS);
        assertEquals(0, heap.runDue(clock.nanoTime()));
    }
}
