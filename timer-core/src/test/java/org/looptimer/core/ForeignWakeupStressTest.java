package org.looptimer.core;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * No wake-up is lost while the inbox is busy: two threads hand bursts of timers to a real
 * {@link TimerThread} whose own timer is an hour out, each burst crossing the inbox queue's chunk
 * boundaries, and each thread then arms one timer due in a millisecond. The bursts' timers are due
 * in 50 ms and stopped at once: the first of a burst wakes the owner, which then drains and goes
 * back to sleep while the rest keeps coming, so the millisecond timers race the owner's
 * publish-then-drain. Each must wake the owner or be drained before it sleeps; a lost wake-up
 * would leave it waiting for the hour, since nothing else is due. Real time decides only when
 * things happen; the verdict is that every round's timers ran within a generous bound.
 */
class ForeignWakeupStressTest {

    private static final int ROUNDS = 1000;
    private static final int THREADS = 2;
    /** Timers per thread per burst: more than one inbox chunk, far below its wake-up backlog. */
    private static final int BURST = 1_500;

    // A shared no-op task: a constant reads better than a method reference at each call site.
    @SuppressWarnings("UnnecessaryLambda")
    private static final Runnable NOOP = () -> {};

    @Test
    void anEarlierForeignTimerWakesTheOwnerWhateverTheBacklog() throws Exception {
        try (TimerThread thread = new TimerThread("wakeup-stress")) {
            Timers timers = thread.timers();
            TimerHandle far = timers.schedule(NOOP, 1, TimeUnit.HOURS);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            for (int round = 0; round < ROUNDS; round++) {
                CountDownLatch ran = new CountDownLatch(THREADS);
                CountDownLatch go = new CountDownLatch(1);
                Thread[] workers = new Thread[THREADS];
                for (int w = 0; w < THREADS; w++) {
                    workers[w] = new Thread(
                            () -> {
                                try {
                                    go.await();
                                    for (int i = 0; i < BURST; i++) {
                                        timers.schedule(NOOP, 50, TimeUnit.MILLISECONDS)
                                                .stop();
                                    }
                                    timers.schedule(ran::countDown, 1, TimeUnit.MILLISECONDS);
                                } catch (Throwable t) {
                                    failure.compareAndSet(null, t);
                                }
                            },
                            "burst-" + w);
                    workers[w].start();
                }
                go.countDown();
                for (Thread worker : workers) {
                    worker.join();
                }
                if (failure.get() != null) {
                    throw new AssertionError("a worker failed", failure.get());
                }
                assertTrue(
                        ran.await(10, TimeUnit.SECONDS),
                        "round " + round + ": a timer due in 1 ms did not run within 10 s, a lost wake-up");
            }
            assertTrue(far.isPending(), "the owner's own timer is untouched");
        }
    }
}
