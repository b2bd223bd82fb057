package org.looptimer.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * Several threads hammer a real {@link TimerThread} with short timers for a few seconds: schedule,
 * stop, and re-arm earlier or later while the owner runs them. Real time decides only when
 * things happen, never the verdict: the checks are counts, polled with a generous bound.
 *
 * <h2>How "stop returned true means that arming never runs" is made checkable</h2>
 *
 * <p>Each timer belongs to one worker and has a generation {@code gen} that its callback reads
 * and records ({@code runs[gen]++}). The worker keeps {@code expected[gen]}: +1 for every arming it
 * makes (a schedule, or a reset that returned false, which armed anew), -1 for every stop that
 * returned true. A reset that returned true moved the pending arming: no change. The worker bumps
 * {@code gen} only when the timer is settled: right after a stop, once every run it expects under
 * the current generation has been recorded, so no callback of an older arming can still read the
 * new value. In the end {@code runs[g] == expected[g]} for every generation: a stopped arming
 * that ran anyway, a run lost, or a run twice all break the equality.
 */
class ForeignThreadStressTest {

    private static final int WORKERS = 4;
    private static final int SLOTS_PER_WORKER = 32;
    private static final int MAX_GEN = 64;
    private static final long RUN_NANOS = TimeUnit.MILLISECONDS.toNanos(2_500);
    private static final long SETTLE_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** One timer and its bookkeeping. */
    private static final class Tracked {
        final AtomicIntegerArray runs = new AtomicIntegerArray(MAX_GEN);
        final int[] expected = new int[MAX_GEN]; // the worker's only
        volatile int gen;
        TimerHandle handle;
        final String name;

        Tracked(String name) {
            this.name = name;
        }

        String describe() {
            StringBuilder sb =
                    new StringBuilder(name).append(" gen=").append(gen).append(" runs/expected:");
            for (int g = 0; g <= Math.min(gen, MAX_GEN - 1); g++) {
                sb.append(' ')
                        .append(g)
                        .append(':')
                        .append(runs.get(g))
                        .append('/')
                        .append(expected[g]);
            }
            return sb.toString();
        }

        boolean settled() {
            int g = gen;
            return runs.get(g) == expected[g];
        }
    }

    private final ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
    private final AtomicLong ops = new AtomicLong();
    private final AtomicLong stopsTrue = new AtomicLong();
    private final AtomicLong resetsTrue = new AtomicLong();
    private volatile Thread owner;

    @Test
    void concurrentScheduleStopAndReArmNeverLoseDuplicateOrResurrectARun() throws Exception {
        AtomicReference<Throwable> uncaught = new AtomicReference<>();
        Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> uncaught.compareAndSet(null, e));
        List<Throwable> callbackFailures = new ArrayList<>();
        TimerThread timers = new TimerThread(
                "stress-owner",
                TimerHeap.builder()
                        .failureHandler((timer, failure) -> {
                            synchronized (callbackFailures) {
                                callbackFailures.add(failure);
                            }
                        })
                        .wheelShift(12)); // 4 us buckets: the 0-5 ms deadlines pass through the wheel

        List<Tracked> all = new ArrayList<>();
        try {
            CountDownLatch ownerKnown = new CountDownLatch(1);
            timers.timers()
                    .schedule(
                            () -> {
                                owner = Thread.currentThread();
                                ownerKnown.countDown();
                            },
                            0,
                            TimeUnit.NANOSECONDS);
            assertTrue(ownerKnown.await(10, TimeUnit.SECONDS), "the timer thread runs a timer at all");

            List<Thread> workers = new ArrayList<>();
            List<List<Tracked>> owned = new ArrayList<>();
            long end = System.nanoTime() + RUN_NANOS;
            for (int w = 0; w < WORKERS; w++) {
                List<Tracked> mine = new ArrayList<>();
                owned.add(mine);
                int id = w;
                Thread worker = new Thread(() -> work(timers.timers(), id, end, mine), "stress-worker-" + w);
                workers.add(worker);
                worker.start();
            }
            for (Thread worker : workers) {
                worker.join(TimeUnit.SECONDS.toMillis(60));
                assertFalse(worker.isAlive(), worker.getName() + " did not finish");
            }
            owned.forEach(all::addAll);
            assertTrue(violations.isEmpty(), () -> String.join("\n", violations));

            // Every arming not stopped runs eventually (all delays are <= 5 ms).
            long deadline = System.nanoTime() + SETTLE_NANOS;
            for (Tracked t : all) {
                while (!allSettled(t) && System.nanoTime() - deadline < 0) {
                    Thread.sleep(1);
                }
                assertTrue(
                        allSettled(t),
                        () -> "runs differ from what the returns of stop/reset promise: " + t.describe());
            }
            assertTrue(timers.isAlive(), "the timer thread survived");
            TimerStats stats = timers.timers().stats();
            assertEquals(0, stats.pendingTimers(), stats.toString());
            assertEquals(0, stats.callbackFailures(), () -> "callbacks failed: " + callbackFailures);
            System.out.printf(
                    "stress: %d operations on %d timers, %d stops prevented a run, %d re-arms moved a"
                            + " pending one; %s%n",
                    ops.get(), all.size(), stopsTrue.get(), resetsTrue.get(), stats);
            assertTrue(ops.get() > 1_000, "too few operations to mean anything: " + ops.get());
        } finally {
            timers.close();
            Thread.setDefaultUncaughtExceptionHandler(previous);
        }
        assertNull(uncaught.get(), "an uncaught exception on some thread");
        assertTrue(timers.timers().isClosed());
        for (Tracked t : all) {
            assertFalse(t.handle.isPending(), t.name + " is still pending after close");
        }
    }

    private static boolean allSettled(Tracked t) {
        for (int g = 0; g < MAX_GEN; g++) {
            if (t.runs.get(g) != t.expected[g]) {
                return false;
            }
        }
        return true;
    }

    // Yielding on purpose: on two shared cores, armed timers must get to run.
    @SuppressWarnings("ThreadPriorityCheck")
    private void work(Timers heap, int id, long end, List<Tracked> retired) {
        SplittableRandom random = new SplittableRandom(1000L + id);
        Tracked[] slots = new Tracked[SLOTS_PER_WORKER];
        int created = 0;
        try {
            while (System.nanoTime() - end < 0 && violations.isEmpty()) {
                int i = random.nextInt(SLOTS_PER_WORKER);
                Tracked t = slots[i];
                ops.incrementAndGet();
                if (t == null) {
                    t = new Tracked("w" + id + "-t" + created++);
                    Tracked timer = t;
                    t.expected[0] = 1;
                    t.handle = heap.schedule(() -> onRun(timer), delay(random), TimeUnit.NANOSECONDS);
                    slots[i] = t;
                    retired.add(t);
                    continue;
                }
                int r = random.nextInt(100);
                if (r < 5 || t.gen >= MAX_GEN - 2) {
                    stopAndSettle(t); // retire it; a fresh timer takes the slot
                    slots[i] = null;
                } else if (r < 40) {
                    reArm(t, random);
                } else if (r < 65) {
                    stopAndSettle(t);
                } else if (r < 75) {
                    stopAndSettle(t);
                    if (t.handle.reset(delay(random), TimeUnit.NANOSECONDS)) {
                        violations.add("reset() of a stopped, settled timer returned true: " + t.describe());
                    }
                    t.expected[t.gen]++;
                } else if (r < 90) {
                    Thread.yield(); // let armed timers run rather than re-arming them forever
                } else {
                    LockSupport.parkNanos(random.nextLong(TimeUnit.MICROSECONDS.toNanos(200)));
                }
            }
        } catch (Throwable e) {
            violations.add("worker " + id + " threw " + e);
        }
    }

    private void reArm(Tracked t, SplittableRandom random) {
        if (t.handle.reset(delay(random), TimeUnit.NANOSECONDS)) {
            resetsTrue.incrementAndGet(); // the pending arming moved: still one run expected
        } else {
            t.expected[t.gen]++; // it had run or was stopped: a new arming, same generation
        }
    }

    // Yields while a run that started before the stop finishes recording.
    @SuppressWarnings("ThreadPriorityCheck")
    private void stopAndSettle(Tracked t) {
        int g = t.gen;
        if (t.handle.stop()) {
            stopsTrue.incrementAndGet();
            t.expected[g]--;
        }
        long deadline = System.nanoTime() + SETTLE_NANOS;
        while (!t.settled()) {
            if (t.runs.get(g) > t.expected[g] || System.nanoTime() - deadline > 0) {
                violations.add("after stop(): " + t.describe());
                return;
            }
            Thread.yield(); // a run that had started before the stop is being recorded
        }
        t.gen = g + 1; // nothing of generation g can still be in flight
    }

    private void onRun(Tracked t) {
        if (Thread.currentThread() != owner) {
            violations.add(t.name + " ran on " + Thread.currentThread().getName());
        }
        int g = t.gen;
        if (g >= MAX_GEN) {
            violations.add(t.name + " ran after it was retired");
            return;
        }
        t.runs.incrementAndGet(g);
    }

    /** 0-5 ms; half of them under 50 us, so that many fire while the worker is still at them. */
    private static long delay(SplittableRandom random) {
        long max = random.nextBoolean() ? TimeUnit.MICROSECONDS.toNanos(50) : TimeUnit.MILLISECONDS.toNanos(5);
        return random.nextLong(max + 1);
    }
}
