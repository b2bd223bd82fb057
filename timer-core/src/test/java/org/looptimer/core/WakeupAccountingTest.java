package org.looptimer.core;

import static java.util.concurrent.TimeUnit.HOURS;
import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * Deadline-aware wake-ups (Go's wakeNetPoller): a foreign thread wakes the owner only for a
 * deadline earlier than the one it sleeps toward, at most once per poll, never while it is awake,
 * and never for a stop or a later re-arm. The heap is owned by the test thread; "sleeping" is the
 * span between {@link TimerHeap#beforePoll()} and {@link TimerHeap#afterPoll()}.
 */
class WakeupAccountingTest {

    // A shared no-op task: a constant reads better than a method reference at each call site.
    @SuppressWarnings("UnnecessaryLambda")
    private static final Runnable NOOP = () -> {};

    private static final long ORIGIN = 5_000_000_000L;

    private final ManualClock clock = new ManualClock(ORIGIN);
    private final CountingWaker waker = new CountingWaker();
    private final TimerHeap heap = TimerHeap.builder().clock(clock).waker(waker).build();

    private static long at(long millis) {
        return ORIGIN + MILLISECONDS.toNanos(millis);
    }

    private void assertWakeups(int requested, long elided) {
        assertEquals(requested, waker.count(), "Waker.wakeup() calls");
        assertEquals(requested, heap.stats().wakeupsRequested(), "stats().wakeupsRequested()");
        assertEquals(elided, heap.stats().wakeupsElided(), "stats().wakeupsElided()");
    }

    @Test
    void onlyAnEarlierForeignDeadlineWakesTheOwnerAndOnlyOncePerPoll() {
        heap.schedule(NOOP, 2, SECONDS);
        assertEquals(at(2_000), heap.beforePoll(), "the owner sleeps toward +2 s");

        Foreign.run(() -> {
            for (int i = 0; i < 200; i++) {
                heap.schedule(NOOP, 10, SECONDS);
            }
        });
        assertWakeups(0, 200);

        Foreign.run(() -> heap.schedule(NOOP, 1, SECONDS));
        assertWakeups(1, 200);

        Foreign.run(() -> {
            heap.schedule(NOOP, 500, MILLISECONDS);
            heap.schedule(NOOP, 0, MILLISECONDS);
        });
        assertWakeups(1, 202);

        heap.afterPoll();
        Foreign.run(() -> heap.schedule(NOOP, 0, MILLISECONDS));
        assertWakeups(1, 203);

        assertEquals(at(0), heap.beforePoll(), "it drained the foreign timers");
        heap.afterPoll();
        heap.runDue(at(0));
        assertEquals(at(500), heap.beforePoll());
        Foreign.run(() -> heap.schedule(NOOP, 100, MILLISECONDS));
        assertWakeups(2, 203);
        assertEquals(
                1 + 200 + 1 + 2 + 1 - 2 + 1,
                heap.stats().pendingTimers(),
                "an elided wake-up loses nothing: all pending but the two that ran");
    }

    @Test
    void emptyHeapSleepsForeverSoAnyForeignTimerWakesIt() {
        assertEquals(Long.MAX_VALUE, heap.beforePoll());
        Foreign.run(() -> heap.schedule(NOOP, 1, java.util.concurrent.TimeUnit.DAYS));
        assertWakeups(1, 0);
    }

    @Test
    void foreignTimerThatNeverFiresDoesNotWakeASleeperWithNoDeadline() {
        assertEquals(Long.MAX_VALUE, heap.beforePoll());
        Foreign.run(() -> heap.schedule(NOOP, Long.MAX_VALUE, SECONDS));
        assertWakeups(0, 1);
    }

    @Test
    void foreignEarlierResetWakesAndALaterOneDoesNot() {
        TimerHandle near = heap.schedule(NOOP, 2, SECONDS);
        TimerHandle far = heap.schedule(NOOP, 10, SECONDS);
        heap.beforePoll();

        assertTrue(Foreign.call(() -> far.reset(20, SECONDS)));
        assertWakeups(0, 0);
        assertTrue(Foreign.call(() -> far.reset(5, SECONDS)), "earlier, but still after +2 s");
        assertWakeups(0, 1);
        assertTrue(Foreign.call(() -> far.reset(1, SECONDS)));
        assertWakeups(1, 1);
        assertEquals(at(1_000), heap.beforePoll());
        assertEquals(at(2_000), near.deadlineNanos());
    }

    @Test
    void foreignStopAndLaterResetNeverWakeAndNeverEnqueue() {
        TimerHandle a = heap.schedule(NOOP, 2, SECONDS);
        TimerHandle b = heap.schedule(NOOP, 3, SECONDS);
        TimerHandle c = heap.schedule(NOOP, 4, SECONDS);
        assertEquals(at(2_000), heap.beforePoll());

        assertTrue(Foreign.call(a::stop));
        assertTrue(Foreign.call(() -> b.reset(30, SECONDS)));
        assertTrue(Foreign.call(() -> c.reset(40, SECONDS)));
        // Every hand-over to the owner goes through the wake decision, which counts it one way
        // or the other: nothing counted means nothing was handed over.
        assertWakeups(0, 0);
        TimerStats before = heap.stats();
        assertEquals(1, before.deletedEntries());
        assertEquals(3, before.heapEntries());

        heap.afterPoll();
        assertEquals(at(30_000), heap.beforePoll(), "the owner found the changes in the words");
        assertWakeups(0, 0);
        assertEquals(2, heap.stats().pendingTimers());
    }

    /**
     * A loop that sleeps toward a far deadline while a thread pool schedules and cancels later
     * timeouts on it: without a bound its inbox would hold every one of them until the deadline.
     */
    @Test
    void aBacklogOfLaterHandOversWakesASleepingOwnerOncePerPollAndLosesNothing() {
        heap.schedule(NOOP, 1, HOURS);
        assertEquals(at(3_600_000), heap.beforePoll());
        int belowBacklog = Inbox.WAKE_BACKLOG - 1;
        Foreign.run(() -> scheduleAndStop(belowBacklog));
        assertWakeups(0, belowBacklog);
        assertEquals(belowBacklog, heap.stats().inboxDepth());

        Foreign.run(() -> scheduleAndStop(Inbox.BACKLOG_CHECK_EVERY));
        int handedOver = belowBacklog + Inbox.BACKLOG_CHECK_EVERY;
        assertWakeups(1, handedOver - 1);
        Foreign.run(() -> scheduleAndStop(Inbox.WAKE_BACKLOG));
        handedOver += Inbox.WAKE_BACKLOG;
        assertWakeups(1, handedOver - 1); // the owner is being woken: once per poll is enough

        heap.afterPoll();
        assertEquals(at(0), heap.beforePoll(), "more than one pass drains: poll without blocking");
        heap.afterPoll();
        assertEquals(at(3_600_000), heap.beforePoll(), "the stopped timers move no deadline");
        TimerStats drained = heap.stats();
        assertEquals(0, drained.inboxDepth(), "the woken owner drained the backlog");
        assertEquals(1, drained.pendingTimers());
        assertEquals(0, drained.deletedEntries(), "stopped in the inbox: dropped as drained");

        Foreign.run(() -> scheduleAndStop(Inbox.WAKE_BACKLOG + Inbox.BACKLOG_CHECK_EVERY));
        handedOver += Inbox.WAKE_BACKLOG + Inbox.BACKLOG_CHECK_EVERY;
        assertWakeups(2, handedOver - 2); // asleep again: the next backlog wakes it again
    }

    /**
     * A worker pool that keeps arming and cancelling request timeouts, all later than the deadline
     * the loop sleeps toward, must not keep the loop awake: the owner drains what was handed over
     * before it published its deadline and sleeps; what comes later waits for its next pass.
     */
    @Test
    void theOwnerSleepsWhileAnotherThreadKeepsHandingOverLaterTimers() throws Exception {
        heap.schedule(NOOP, 2, SECONDS);
        // The first rounds only warm the code up: interpreted, an offer is slow enough between
        // claiming its slot and writing it that polls fail for reasons this test is not about.
        int warmUp = 200;
        int counted = 200;
        int polls = warmUp + counted;
        // Round r: the worker hands over while this reads r, and acknowledges when it reads -r.
        AtomicInteger round = new AtomicInteger();
        AtomicInteger finished = new AtomicInteger();
        AtomicLong handedOver = new AtomicLong();
        Thread worker = new Thread(
                () -> {
                    for (int r = 1; r <= polls; r++) {
                        while (round.get() != r) {
                            Thread.onSpinWait();
                        }
                        // At most a few thousand a round, whatever the OS does to the owner
                        // thread: far below the backlog that would wake it.
                        for (int i = 0; i < 4_000 && round.get() == r; i++) {
                            heap.schedule(NOOP, 10, SECONDS).stop();
                            handedOver.incrementAndGet();
                        }
                        while (round.get() == r) {
                            Thread.onSpinWait();
                        }
                        finished.set(r);
                    }
                },
                "later-timeouts");
        worker.setDaemon(true);
        worker.start();
        int slept = 0;
        long giveUp = System.nanoTime() + SECONDS.toNanos(60);
        for (int r = 1; r <= polls; r++) {
            long before = handedOver.get();
            round.set(r);
            // Poll once the worker is well into its stream, so that it hands over during the poll.
            awaitWorker(() -> handedOver.get() >= before + 64, giveUp);
            // A poll that must not block is followed by another, as on a loop; a worker that the
            // OS deschedules between claiming an inbox slot and writing it makes the owner poll
            // without blocking (it cannot tell that hand-over from one it must see), so allow
            // that to happen twice in a row before counting the round as spent awake.
            for (int attempt = 0; attempt < 3; attempt++) {
                boolean blocks = heap.beforePoll() == at(2_000);
                heap.afterPoll();
                if (blocks) {
                    slept += r > warmUp ? 1 : 0;
                    break;
                }
            }
            round.set(-r);
            int ended = r;
            awaitWorker(() -> finished.get() == ended, giveUp);
        }
        worker.join(SECONDS.toMillis(60));
        assertTrue(slept >= counted * 9 / 10, "the owner could block in only " + slept + " of " + counted + " rounds");
        assertEquals(0, waker.count(), "later timers woke the owner");
        heap.beforePoll();
        assertEquals(1, heap.stats().pendingTimers(), "every stopped timer was dropped, the owner's kept");
    }

    private static void awaitWorker(BooleanSupplier condition, long giveUpNanos) {
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > giveUpNanos) {
                fail("the worker thread stopped making progress");
            }
            Thread.onSpinWait();
        }
    }

    private void scheduleAndStop(int timers) {
        for (int i = 0; i < timers; i++) {
            heap.schedule(NOOP, 2, HOURS).stop();
        }
    }

    @Test
    void ownerOperationsNeverCountAsWakeups() {
        heap.beforePoll();
        TimerHandle t = heap.schedule(NOOP, 1, MILLISECONDS);
        t.reset(0, MILLISECONDS);
        t.stop();
        heap.scheduleTicker(NOOP, 1, MILLISECONDS);
        assertWakeups(0, 0);
    }

    /**
     * The Dekker pair: the owner publishes its deadline then re-checks the inbox; a foreign thread
     * offers then reads the deadline. Whatever the interleaving, either beforePoll() sees the
     * earlier timer or the foreign thread wakes the owner.
     */
    // The foreign thread spins, yielding now and then: the owner may need its core.
    @SuppressWarnings("ThreadPriorityCheck")
    @Test
    void foreignScheduleRacingBeforePollIsNeverLost() throws Exception {
        heap.schedule(NOOP, 2, SECONDS);
        int maxRounds = 20_000;
        long budgetNanos = SECONDS.toNanos(3);
        AtomicInteger go = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        AtomicReferenceArray<TimerHandle> scheduled = new AtomicReferenceArray<>(maxRounds + 1);
        AtomicReference<Throwable> foreignFailure = new AtomicReference<>();

        Thread foreign = new Thread(
                () -> {
                    SplittableRandom random = new SplittableRandom(7);
                    try {
                        for (int round = 1; round <= maxRounds; round++) {
                            for (int spins = 1; go.get() < round; spins++) {
                                if (go.get() < 0) {
                                    return;
                                }
                                if (spins % 1_000 == 0) {
                                    Thread.yield(); // the owner may be waiting for this core
                                } else {
                                    Thread.onSpinWait();
                                }
                            }
                            spin(random.nextInt(64));
                            scheduled.set(round, heap.schedule(NOOP, 1, SECONDS));
                            done.set(round);
                        }
                    } catch (Throwable t) {
                        foreignFailure.set(t);
                        done.set(Integer.MAX_VALUE);
                    }
                },
                "dekker-foreign");
        foreign.setDaemon(true);
        foreign.start();

        SplittableRandom random = new SplittableRandom(11);
        long start = System.nanoTime();
        int rounds = 0;
        int sawIt = 0;
        int woken = 0;
        int ownerDelay = 0;
        try {
            while (rounds < maxRounds && System.nanoTime() - start < budgetNanos) {
                int round = ++rounds;
                heap.afterPoll();
                int wakeupsBefore = waker.count();
                go.set(round);
                spin(random.nextInt(2 * ownerDelay + 1));
                long deadline = heap.beforePoll();
                awaitDone(done, round, foreignFailure);
                TimerHandle timer = scheduled.get(round);
                int wakeups = waker.count() - wakeupsBefore;
                boolean seen = deadline - timer.deadlineNanos() <= 0;
                if (!seen && wakeups == 0) {
                    fail("round " + round + ": beforePoll() returned +" + (deadline - ORIGIN)
                            + " ns, later than the foreign timer at +" + (timer.deadlineNanos() - ORIGIN)
                            + " ns, and the owner was not woken: the timer would be late");
                }
                assertTrue(wakeups <= 1, "round " + round + ": " + wakeups + " wake-ups in one poll");
                // Steer toward the boundary, where the two threads overlap: wait longer when
                // the foreign schedule came late, less when beforePoll already saw it.
                ownerDelay = seen ? Math.max(0, ownerDelay - 1) : Math.min(1_000, ownerDelay + 1);
                sawIt += seen ? 1 : 0;
                woken += wakeups;
                timer.stop();
            }
        } finally {
            go.set(-1);
            foreign.join(10_000);
        }
        System.out.printf(
                "Dekker race: %d rounds, beforePoll saw the timer %d times, woken %d times,"
                        + " owner delay settled at %d spins%n",
                rounds, sawIt, woken, ownerDelay);
        assertTrue(rounds >= 50, "too few rounds to mean anything: " + rounds);
    }

    // Spins, yielding now and then so the foreign thread gets a core.
    @SuppressWarnings("ThreadPriorityCheck")
    private static void awaitDone(AtomicInteger done, int round, AtomicReference<Throwable> failure) {
        long deadline = System.nanoTime() + SECONDS.toNanos(10);
        int spins = 0;
        while (done.get() < round) {
            if (System.nanoTime() - deadline > 0) {
                fail("the foreign thread did not schedule within 10 s in round " + round);
            }
            if (++spins % 1_000 == 0) {
                Thread.yield(); // two cores shared with builds: let the other thread run
            } else {
                Thread.onSpinWait();
            }
        }
        if (failure.get() != null) {
            throw new AssertionError("the foreign thread failed", failure.get());
        }
    }

    private static void spin(int iterations) {
        for (int i = 0; i < iterations; i++) {
            Thread.onSpinWait();
        }
    }
}
