package org.looptimer.core;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A callback that throws is counted, reported, and does not stop the heap or a ticker. */
class CallbackFailureTest extends ManualHeapFixture {

    private final List<TimerHandle> failedTimers = new ArrayList<>();
    private final List<Throwable> failures = new ArrayList<>();
    private final List<Thread> handlerThreads = new ArrayList<>();

    private final TimerHeap reporting = newHeap(TimerHeap.builder().failureHandler((timer, failure) -> {
        failedTimers.add(timer);
        failures.add(failure);
        handlerThreads.add(Thread.currentThread());
    }));

    @Test
    void throwingCallbackIsCountedReportedAndTheRestOfThePassRuns() {
        RuntimeException boom = new IllegalStateException("boom");
        reporting.schedule(rec.task("before"), 10, MILLISECONDS);
        TimerHandle bad = reporting.schedule(
                () -> {
                    throw boom;
                },
                10,
                MILLISECONDS);
        reporting.schedule(rec.task("after"), 10, MILLISECONDS);

        assertEquals(3, reporting.runDue(at(10)), "the failing callback ran too");
        assertEquals(List.of("before", "after"), rec.runs());
        assertEquals(List.of(bad), failedTimers);
        assertSame(boom, failures.get(0));
        assertEquals(List.of(Thread.currentThread()), handlerThreads, "reported on the owner");
        assertEquals(1, reporting.stats().callbackFailures());
        assertEquals(3, reporting.stats().timersFired());

        reporting.schedule(rec.task("later"), 1, MILLISECONDS);
        assertEquals(1, reporting.runDue(at(11)), "the heap keeps working");
    }

    @Test
    void errorsAreCaughtToo() {
        reporting.schedule(
                () -> {
                    throw new AssertionError("not an exception");
                },
                0,
                MILLISECONDS);
        assertDoesNotThrow(() -> reporting.runDue(clock.nanoTime()));
        assertEquals(1, reporting.stats().callbackFailures());
        assertTrue(failures.get(0) instanceof AssertionError);
    }

    @Test
    void throwingTickerKeepsTicking() {
        int[] runs = new int[1];
        TimerHandle ticker = reporting.scheduleTicker(
                () -> {
                    runs[0]++;
                    throw new IllegalStateException("tick " + runs[0]);
                },
                10,
                MILLISECONDS);
        for (int i = 1; i <= 5; i++) {
            reporting.runDue(at(10L * i));
        }
        assertEquals(5, runs[0]);
        assertEquals(5, reporting.stats().callbackFailures());
        assertEquals(5, failures.size());
        assertTrue(ticker.isPending());
        assertEquals(at(60), ticker.deadlineNanos());
    }

    @Test
    void failingFailureHandlerDoesNotBreakThePass() {
        TimerHeap h = newHeap(TimerHeap.builder().failureHandler((timer, failure) -> {
            throw new IllegalStateException("handler failed");
        }));
        h.schedule(
                () -> {
                    throw new IllegalStateException("callback failed");
                },
                1,
                MILLISECONDS);
        h.schedule(rec.task("next"), 1, MILLISECONDS);
        assertEquals(2, assertDoesNotThrow(() -> h.runDue(at(1))));
        assertEquals(List.of("next"), rec.runs());
        assertEquals(1, h.stats().callbackFailures());
    }

    @Test
    void defaultHandlerLogsAndCarriesOn() {
        heap.schedule(
                () -> {
                    throw new IllegalStateException("expected by the test: logged by the default handler");
                },
                1,
                MILLISECONDS);
        heap.schedule(rec.task("next"), 1, MILLISECONDS);
        assertEquals(2, assertDoesNotThrow(() -> runAt(1)));
        assertEquals(List.of("next"), rec.runs());
        assertEquals(1, heap.stats().callbackFailures());
    }
}
