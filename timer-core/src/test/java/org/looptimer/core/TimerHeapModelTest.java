package org.looptimer.core;

import static java.util.concurrent.TimeUnit.MICROSECONDS;
import static java.util.concurrent.TimeUnit.NANOSECONDS;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Randomized model test: long random sequences of operations on a {@link TimerHeap} driven by a
 * {@link ManualClock}, each checked against {@link ReferenceTimers} for the exact firing order and
 * every return value.
 *
 * <p>Reproduce a failure with the seed from its message:
 * {@code mvn -pl timer-core test -Dtest=TimerHeapModelTest -Dlooptimer.model.seed=1234}.
 * {@code -Dlooptimer.model.ops=N} scales the run.
 */
class TimerHeapModelTest {

    private static final long U = 1_000; // time quantum: coarse, so that deadlines tie often
    private static final int POOL = 300;
    private static final int TRAIL = Integer.getInteger("looptimer.model.trail", 40);

    @Test
    void ownerOnlyOperationsMatchTheModel() throws Exception {
        long ops = Long.getLong("looptimer.model.ops", 1_000_000);
        new Run(seed(), 0, ops, false, Integer.MAX_VALUE).run();
    }

    @Test
    void lockStepForeignOperationsMatchTheModel() throws Exception {
        long ops = Long.getLong("looptimer.model.ops", 1_000_000) / 4;
        new Run(seed(), 0x9E3779B97F4A7C15L, ops, true, Integer.MAX_VALUE).run();
    }

    @Test
    void limitedHeapRejectsExactlyWhenFull() throws Exception {
        long ops = Long.getLong("looptimer.model.ops", 1_000_000) / 8;
        new Run(seed(), 0x632BE59BD9B4E019L, ops, true, 64).run();
    }

    /**
     * A seed that once found a timer left behind: a pass long after the last one moved an entry
     * into an outer-wheel bucket that had already started, and the floor then passed it by.
     */
    @Test
    void aPassLongAfterTheLastLeavesNothingDueBehind() throws Exception {
        new Run(3881173463144441230L, 0, 45_000, false, Integer.MAX_VALUE).run();
    }

    private static long seed() {
        Long fixed = Long.getLong("looptimer.model.seed");
        return fixed != null ? fixed : new SplittableRandom().nextLong();
    }

    private static final long NO_ARG = Long.MIN_VALUE;

    private record Note(long op, String what, long arg, ReferenceTimers.Snapshot timer) {
        @Override
        public String toString() {
            return "#" + op + " " + what + (arg == NO_ARG ? "" : " " + arg) + (timer == null ? "" : " " + timer);
        }
    }

    /** Thrown on purpose by some callbacks; anything else reaching the failure handler is a bug. */
    private static final class IntentionalFailure extends RuntimeException {
        IntentionalFailure() {
            super("thrown on purpose by the model test", null, false, false);
        }
    }

    /** One randomized run: the engine, the model, and the random driver between them. */
    private static final class Run {
        private final long seed;
        private final long ops;
        private final boolean withForeign;
        private final int maxTimers;
        private long rejections;
        private final SplittableRandom random;
        private final ManualClock clock;
        private final ReferenceTimers model;
        private final TimerHeap heap;
        private final ExecutorService foreign;
        private final Deque<Note> trail = new ArrayDeque<>();
        private long op;
        private long lastNow;
        private int nesting;
        private Throwable violation;
        /** The timer whose callback ran last: the failure handler is told about it. */
        private ReferenceTimers.Timer firing;
        /** A foreign arming the owner has not drained yet: its nextDeadlineNanos may not know it. */
        private boolean undrained;

        /** @param seed what {@code -Dlooptimer.model.seed} reruns; {@code salt} varies it per test */
        Run(long seed, long salt, long ops, boolean withForeign, int maxTimers) {
            this.maxTimers = maxTimers;
            this.seed = seed;
            this.ops = ops;
            this.withForeign = withForeign;
            this.random = new SplittableRandom(seed ^ salt);
            // Start a few seconds below the top of the long range: the run wraps past it.
            long origin = Long.MAX_VALUE - random.nextLong(1, 5_000_000_000L);
            this.clock = new ManualClock(origin);
            this.model = new ReferenceTimers(origin);
            this.lastNow = origin;
            // Wheel buckets of 2^4 to 2^15 ns: the model's deadlines (up to 2 ms) fall in the wheel,
            // beyond its span, and behind its horizon, in every mix.
            TimerHeap.Builder builder = TimerHeap.builder()
                    .clock(clock)
                    .failureHandler(this::onFailure)
                    .wheelShift(random.nextInt(4, 16));
            this.heap = (maxTimers == Integer.MAX_VALUE ? builder : builder.maxTimers(maxTimers)).build();
            this.foreign = withForeign
                    ? Executors.newSingleThreadExecutor(r -> {
                        Thread t = new Thread(r, "model-foreign");
                        t.setDaemon(true);
                        return t;
                    })
                    : null;
        }

        void run() throws Exception {
            long cpuStart =
                    java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
            try {
                for (op = 0; op < ops; op++) {
                    step();
                    if (op % 4096 == 0) {
                        checkAll();
                    }
                }
                heap.beforePoll();
                checkAll();
                closeAndCheck();
            } finally {
                if (foreign != null) {
                    foreign.shutdownNow();
                }
            }
            long cpuMillis =
                    (java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - cpuStart)
                            / 1_000_000;
            System.out.printf(
                    "%s: seed=%d, %d operations, %d callbacks, %d rejected as full, %d ms of test-thread CPU%n",
                    variant(), seed, ops, model.fired, rejections, cpuMillis);
            assertTrue(model.fired > ops / 20, "the run fired too few timers to mean anything: " + model.fired);
            assertTrue(
                    maxTimers == Integer.MAX_VALUE || rejections > ops / 100,
                    "the heap was rarely full: " + rejections);
        }

        // ------------------------------------------------------------------ operations

        private void step() throws Exception {
            int r = random.nextInt(100);
            if (r < 14) {
                schedule(pickSide(), false);
            } else if (r < 16) {
                schedule(pickSide(), true);
            } else if (r < 28) {
                stop(pickSide());
            } else if (r < 42) {
                reset(pickSide());
            } else if (r < 52) {
                advance();
            } else if (r < 62) {
                runDue(Integer.MAX_VALUE);
            } else if (r < 67) {
                runDue(1 + random.nextInt(5));
            } else if (r < 73) {
                beforePoll();
            } else if (r < 77) {
                note("afterPoll", NO_ARG, null);
                heap.afterPoll();
            } else if (r < 80) {
                scheduleAt(pickSide());
            } else if (r < 83) {
                resetAt(pickSide());
            } else if (r < 88) {
                nextDeadline();
            } else if (r < 92) {
                checkOne(pickTimer(), pickSide());
            } else if (r < 94) {
                checkStats();
            } else {
                schedule(pickSide(), false);
            }
        }

        /** Owner ops may nest in callbacks; anything that would re-enter runDue may not. */
        private void nestedStep() throws Exception {
            int r = random.nextInt(10);
            switch (r) {
                case 0, 1 -> schedule(true, false);
                case 2 -> schedule(true, true);
                case 3, 4 -> stop(true);
                case 5, 6, 7 -> reset(true);
                case 8 -> nextDeadline();
                default -> {
                    if (random.nextBoolean()) {
                        scheduleAt(true);
                    } else {
                        resetAt(true);
                    }
                }
            }
        }

        private boolean pickSide() {
            return !withForeign || nesting > 0 || random.nextInt(100) < 60;
        }

        private void schedule(boolean owner, boolean periodic) throws Exception {
            if (model.timers.size() >= POOL) {
                evict();
            }
            long delay = periodic ? period() : delay();
            boolean throwing = random.nextInt(100) < 3;
            TimeUnit unit = delay % 1_000 == 0 && random.nextBoolean() ? MICROSECONDS : NANOSECONDS;
            long amount = unit == MICROSECONDS ? delay / 1_000 : delay;
            note((owner ? "owner " : "foreign ") + (periodic ? "scheduleTicker " : "schedule ") + unit, amount, null);
            if (model.pendingCount() >= maxTimers) {
                expectFull(
                        owner,
                        () -> periodic
                                ? heap.scheduleTicker(() -> {}, amount, unit)
                                : heap.schedule(() -> {}, amount, unit));
                return;
            }
            long clockInternal = clockInternal();
            ReferenceTimers.Timer t = model.schedule(owner, periodic, delay, clockInternal, throwing);
            Runnable task = () -> onFire(t);
            t.handle = on(
                    owner,
                    () -> periodic ? heap.scheduleTicker(task, amount, unit) : heap.schedule(task, amount, unit));
            undrained |= !owner;
            checkOne(t, owner);
        }

        private void stop(boolean owner) throws Exception {
            ReferenceTimers.Timer t = pickTimer();
            if (t == null) {
                return;
            }
            note(owner ? "owner stop" : "foreign stop", NO_ARG, t);
            boolean expected = model.stop(t);
            boolean actual = on(owner, t.handle::stop);
            check(expected == actual, () -> "stop() returned " + actual + " for " + t);
            checkOne(t, owner);
        }

        private void reset(boolean owner) throws Exception {
            ReferenceTimers.Timer t = pickTimer();
            if (t == null) {
                return;
            }
            long delay = t.periodic ? period() : delay();
            note(owner ? "owner reset, ns" : "foreign reset, ns", delay, t);
            if (!t.pending && model.pendingCount() >= maxTimers) {
                expectFull(owner, () -> t.handle.reset(delay, NANOSECONDS));
                checkOne(t, owner);
                return;
            }
            boolean expected = model.reset(t, owner, delay, clockInternal());
            boolean actual = on(owner, () -> t.handle.reset(delay, NANOSECONDS));
            check(expected == actual, () -> "reset() returned " + actual + " for " + t);
            undrained |= !owner;
            checkOne(t, owner);
        }

        /** An absolute deadline around now: a little in the past, due now, or ahead; rarely never. */
        private long absoluteDeadline() {
            if (random.nextInt(50) == 0) {
                return Long.MAX_VALUE;
            }
            long delay = delay();
            return delay == Long.MAX_VALUE ? Long.MAX_VALUE : clock.nanoTime() + delay - U * random.nextInt(3);
        }

        private void scheduleAt(boolean owner) throws Exception {
            if (model.timers.size() >= POOL) {
                evict();
            }
            long deadline = absoluteDeadline();
            boolean throwing = random.nextInt(100) < 3;
            note((owner ? "owner" : "foreign") + " scheduleAt, from origin", deadline - model.origin, null);
            if (model.pendingCount() >= maxTimers) {
                expectFull(owner, () -> heap.scheduleAt(() -> {}, deadline));
                return;
            }
            ReferenceTimers.Timer t = model.scheduleAt(owner, model.absolute(deadline), throwing);
            Runnable task = () -> onFire(t);
            t.handle = on(owner, () -> heap.scheduleAt(task, deadline));
            undrained |= !owner;
            checkOne(t, owner);
        }

        private void resetAt(boolean owner) throws Exception {
            ReferenceTimers.Timer t = pickTimer();
            if (t == null) {
                return;
            }
            long deadline = absoluteDeadline();
            note(owner ? "owner resetAt, from origin" : "foreign resetAt, from origin", deadline - model.origin, t);
            if (!t.pending && model.pendingCount() >= maxTimers) {
                expectFull(owner, () -> t.handle.resetAt(deadline));
                checkOne(t, owner);
                return;
            }
            boolean expected = model.resetAt(t, owner, model.absolute(deadline));
            boolean actual = on(owner, () -> t.handle.resetAt(deadline));
            check(expected == actual, () -> "resetAt() returned " + actual + " for " + t);
            undrained |= !owner;
            checkOne(t, owner);
        }

        private void advance() {
            int r = random.nextInt(100);
            long amount = r < 60
                    ? U * random.nextInt(10)
                    : r < 90 ? U * random.nextInt(10, 60) : U * random.nextInt(60, 3_000);
            if (random.nextInt(20) == 0) {
                amount += random.nextInt(1, 3); // off the grid: exact-boundary cases
            }
            note("advance, ns", amount, null);
            clock.advance(amount, NANOSECONDS);
        }

        private void runDue(int limit) {
            long now = clock.nanoTime();
            int r = random.nextInt(10);
            if (r == 0) {
                now -= 1; // a reading one nanosecond old: timers due exactly now must wait
            } else if (r == 1) {
                now -= U * random.nextInt(1, 5);
            }
            if (now - lastNow < 0) {
                now = lastNow; // readings never go back
            }
            lastNow = now;
            note(
                    limit == Integer.MAX_VALUE ? "runDue at" : "runDue with limit " + limit + " at",
                    now - model.origin,
                    null);
            model.beginPass(model.toInternal(now));
            int ran = limit == Integer.MAX_VALUE ? heap.runDue(now) : heap.runDue(now, limit);
            failIfViolated();
            check(model.endPass(ran, limit));
            undrained = false;
            if (withForeign) {
                checkEntries();
            }
        }

        private void beforePoll() {
            note("beforePoll", NO_ARG, null);
            long actual = heap.beforePoll();
            long expected = model.toClock(model.earliestDeadline());
            check(actual == expected, () -> "beforePoll() returned " + show(actual) + ", expected " + show(expected));
            undrained = false;
            checkEntries();
        }

        private void nextDeadline() {
            note("nextDeadlineNanos", NO_ARG, null);
            long actual = heap.nextDeadlineNanos();
            if (!undrained) {
                long expected = model.toClock(model.earliestDeadline());
                check(
                        actual == expected,
                        () -> "nextDeadlineNanos() returned " + show(actual) + ", expected " + show(expected));
            }
        }

        private void evict() throws Exception {
            ReferenceTimers.Timer t = model.timers.get(random.nextInt(model.timers.size()));
            if (t.pending) {
                boolean actual = t.handle.stop();
                note("evict: stop", NO_ARG, t);
                check(model.stop(t) && actual, () -> "stop() of pending " + t + " returned " + actual);
            }
            model.timers.remove(t);
        }

        // ------------------------------------------------------------------ callbacks

        private void onFire(ReferenceTimers.Timer t) {
            firing = t;
            note("  fired", NO_ARG, t);
            String error = model.fire(t);
            if (error != null) {
                throw violation(error);
            }
            if (nesting == 0 && random.nextInt(100) < 15) {
                nesting++;
                try {
                    int n = random.nextInt(1, 3);
                    for (int i = 0; i < n; i++) {
                        nestedStep();
                    }
                } catch (Exception e) {
                    throw new AssertionError(e);
                } finally {
                    nesting--;
                }
            }
            if (t.throwing) {
                model.failures++;
                throw new IntentionalFailure();
            }
        }

        private void onFailure(TimerHandle timer, Throwable failure) {
            if (failure instanceof IntentionalFailure) {
                if (firing != null && firing.handle == timer) {
                    return;
                }
                failure = violation("failure reported for " + timer + ", not for the timer that threw, " + firing);
            }
            if (violation == null) {
                violation = failure;
            }
        }

        private void failIfViolated() {
            if (violation != null) {
                Throwable v = violation;
                violation = null;
                throw v instanceof AssertionError a ? a : new AssertionError(message("callback failed"), v);
            }
        }

        // ------------------------------------------------------------------ checks

        private void checkOne(ReferenceTimers.Timer t, boolean owner) throws Exception {
            if (t == null) {
                return;
            }
            boolean pending = on(owner, t.handle::isPending);
            check(pending == t.pending, () -> "isPending() is " + pending + " for " + t);
            long deadline = on(owner, t.handle::deadlineNanos);
            check(deadline == model.toClock(t.when), () -> "deadlineNanos() is " + show(deadline) + " for " + t);
            check(t.handle.isPeriodic() == t.periodic, () -> "isPeriodic() wrong for " + t);
        }

        private void checkAll() throws Exception {
            for (ReferenceTimers.Timer t : model.timers) {
                checkOne(t, true);
            }
            checkStats();
        }

        private void checkStats() {
            TimerStats s = heap.stats();
            check(
                    s.pendingTimers() == model.pendingCount(),
                    () -> "stats().pendingTimers() is " + s.pendingTimers() + ", expected " + model.pendingCount()
                            + ": " + s);
            check(
                    s.timersFired() == model.fired,
                    () -> "stats().timersFired() is " + s.timersFired() + ", expected " + model.fired);
            check(
                    s.callbackFailures() == model.failures,
                    () -> "stats().callbackFailures() is " + s.callbackFailures() + ", expected " + model.failures);
            if (!withForeign) {
                // The owner removes what it stops at once, and there is no inbox.
                check(s.deletedEntries() == 0 && s.heapEntries() == s.pendingTimers(), () -> "entries: " + s);
            }
        }

        /** Right after a drain: every pending timer has one entry, plus the stopped ones not swept. */
        private void checkEntries() {
            TimerStats s = heap.stats();
            check(
                    s.heapEntries() == model.pendingCount() + s.deletedEntries(),
                    () -> "heapEntries != pending + deleted after a drain: " + s + ", model pending "
                            + model.pendingCount());
            check(s.heapCapacity() >= s.heapEntries(), () -> "capacity: " + s);
        }

        // ------------------------------------------------------------------ plumbing

        private long delay() {
            int r = random.nextInt(100);
            if (r < 55) {
                return U * random.nextInt(40);
            } else if (r < 70) {
                return U * 25; // one timeout for many: deadlines arrive in order
            } else if (r < 78) {
                return -U * random.nextInt(1, 10);
            } else if (r < 84) {
                return U * random.nextInt(40, 2_000);
            } else if (r < 98) {
                return U * random.nextInt(3) + random.nextInt(3); // off the grid
            }
            return Long.MAX_VALUE;
        }

        private long period() {
            return random.nextInt(100) == 0 ? Long.MAX_VALUE : U * random.nextInt(1, 30);
        }

        private ReferenceTimers.Timer pickTimer() {
            List<ReferenceTimers.Timer> timers = model.timers;
            return timers.isEmpty() ? null : timers.get(random.nextInt(timers.size()));
        }

        private long clockInternal() {
            return model.toInternal(clock.nanoTime());
        }

        /** Arming one more timer must be rejected, naming the limit, and change nothing. */
        private void expectFull(boolean owner, Callable<?> arming) throws Exception {
            Throwable thrown = null;
            try {
                on(owner, arming);
            } catch (RejectedExecutionException e) {
                thrown = e;
            } catch (AssertionError e) {
                thrown = e.getCause();
            }
            Throwable t = thrown;
            check(
                    t instanceof RejectedExecutionException && t.getMessage().contains("maxTimers=" + maxTimers),
                    () -> "arming past maxTimers=" + maxTimers + " with " + model.pendingCount()
                            + " pending was not rejected as full: " + t);
            check(heap.stats().pendingTimers() == model.pendingCount(), () -> "a rejected arming changed the count");
            rejections++;
        }

        /** close(): nothing pending, nothing counted, nothing runs, every arming rejected. */
        private void closeAndCheck() throws Exception {
            note("close", NO_ARG, null);
            heap.close();
            for (ReferenceTimers.Timer t : model.timers) {
                model.stop(t);
                checkOne(t, true);
                check(!t.handle.stop(), () -> "stop() after close returned true for " + t);
            }
            check(
                    heap.stats().pendingTimers() == 0 && heap.stats().deletedEntries() == 0,
                    () -> "pending or stopped timers counted after close: " + heap.stats());
            check(heap.runDue(clock.nanoTime() + U * 10_000) == 0, () -> "a timer ran after close");
            failIfViolated();
            Throwable rejected = null;
            try {
                heap.schedule(() -> {}, 0, NANOSECONDS);
            } catch (RejectedExecutionException e) {
                rejected = e;
            }
            check(rejected != null, () -> "schedule() after close was accepted");
        }

        private String variant() {
            return (withForeign ? "lock-step foreign variant" : "owner-only variant")
                    + (maxTimers == Integer.MAX_VALUE ? "" : ", maxTimers=" + maxTimers);
        }

        private <T> T on(boolean owner, Callable<T> action) throws Exception {
            if (owner) {
                return action.call();
            }
            Future<T> result = foreign.submit(action);
            try {
                return result.get();
            } catch (ExecutionException e) {
                throw new AssertionError(message("foreign operation threw"), e.getCause());
            }
        }

        /** Remembers an operation for the failure message; formatted only if one is needed. */
        private void note(String what, long arg, ReferenceTimers.Timer t) {
            if (trail.size() == TRAIL) {
                trail.removeFirst();
            }
            trail.addLast(new Note(op, what, arg, t == null ? null : t.snapshot()));
        }

        private void check(boolean ok, Supplier<String> what) {
            if (!ok) {
                throw violation(what.get());
            }
        }

        private void check(String error) {
            if (error != null) {
                throw violation(error);
            }
        }

        private AssertionError violation(String what) {
            return new AssertionError(message(what));
        }

        private String message(String what) {
            return what + "\n  seed=" + seed + " (rerun with -Dlooptimer.model.seed=" + seed + "), op #" + op
                    + ", " + variant()
                    + "\n  last operations (timer states as they were before the operation):\n    "
                    + String.join("\n    ", trail.stream().map(Note::toString).toList());
        }

        private String show(long clockNanos) {
            return clockNanos == Long.MAX_VALUE ? "MAX" : String.valueOf(clockNanos - model.origin) + " (internal)";
        }
    }
}
