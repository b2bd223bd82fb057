package org.looptimer.core;

import static java.util.concurrent.TimeUnit.NANOSECONDS;

import java.lang.reflect.Method;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.jetbrains.kotlinx.lincheck.Actor;
import org.jetbrains.kotlinx.lincheck.execution.ExecutionScenario;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.junit.jupiter.api.Test;

/**
 * Lincheck model checking of the cross-thread protocol. Wake-ups: foreign threads re-arm one
 * timer while the owner publishes the deadline it will sleep toward. Lincheck explores the
 * thread interleavings at every shared-memory access and checks that the results are those of
 * some sequential order.
 *
 * <p>Also: a pass ({@link #runDue()}) racing a stop and a re-arm of a due timer, whose results
 * must fit one sequential order: never "stopped" yet run, never "not pending" yet not run.
 *
 * <p>The owner's {@link #sleepIsSafe()} judges its "sleep" once every re-arm that has started has
 * also finished: a pending timer due before the published deadline must have woken the owner.
 * Run sequentially that always holds, so any interleaving where it does not is reported.
 *
 * <p>The owner is whoever runs an owner operation (a thread-local flag), so that Lincheck's
 * sequential replay on one thread still takes the foreign paths for the foreign operations.
 */
@Param(name = "delay", gen = IntGen.class, conf = "0:2")
public class CrossThreadLincheckTest {

    private static final ThreadLocal<Boolean> OWNER = ThreadLocal.withInitial(() -> false);
    private static final long PUBLISHED = 100;

    private final AtomicInteger wakeups = new AtomicInteger();
    private final AtomicInteger started = new AtomicInteger();
    private final AtomicInteger finished = new AtomicInteger();
    private final TimerHeap heap;
    private final TimerHandle target;

    // Owner-only state of the poll in progress.
    private boolean polling;
    private long sleepUntil;
    private int wakeupsBefore;

    public CrossThreadLincheckTest() {
        heap = TimerHeap.builder()
                .clock(new ManualClock(0))
                .waker(wakeups::incrementAndGet)
                .ownerCheck(OWNER::get)
                .wheelShift(2) // 4 ns buckets: the published timer and some re-arms wait in the wheel
                .build();
        OWNER.set(true);
        try {
            heap.schedule(() -> {}, PUBLISHED, NANOSECONDS); // what the owner sleeps toward
            target = heap.schedule(() -> {}, 1, NANOSECONDS);
            target.stop(); // idle, no entry: a foreign re-arm must hand it over
        } finally {
            OWNER.set(false);
        }
    }

    /** Foreign: re-arm the target 10, 150 or 1000 ns out (before, after, far after the sleep). */
    @Operation
    public boolean reset(@Param(name = "delay") int choice) {
        long delay = choice == 0 ? 10 : choice == 1 ? 150 : 1_000;
        started.incrementAndGet();
        try {
            return target.reset(delay, NANOSECONDS);
        } finally {
            finished.incrementAndGet();
        }
    }

    @Operation
    public boolean stop() {
        started.incrementAndGet();
        try {
            return target.stop();
        } finally {
            finished.incrementAndGet();
        }
    }

    @Operation(nonParallelGroup = "owner")
    public void beforePoll() {
        OWNER.set(true);
        try {
            wakeupsBefore = wakeups.get();
            sleepUntil = heap.beforePoll();
            polling = true;
        } finally {
            OWNER.set(false);
        }
    }

    /** Owner: a pass at 200 ns, when the other timer (100 ns) and a target armed 10 or 150 ns out are due. */
    @Operation(nonParallelGroup = "owner")
    public int runDue() {
        OWNER.set(true);
        try {
            return heap.runDue(200);
        } finally {
            OWNER.set(false);
        }
    }

    /** Owner, "asleep": true unless a finished re-arm is due before the deadline and no wake came. */
    @Operation(nonParallelGroup = "owner")
    public boolean sleepIsSafe() {
        OWNER.set(true);
        try {
            if (!polling) {
                return true;
            }
            int startedBefore = started.get();
            boolean quiet = finished.get() == startedBefore;
            boolean pending = target.isPending();
            long deadline = target.deadlineNanos();
            boolean woken = wakeups.get() != wakeupsBefore;
            quiet &= started.get() == startedBefore; // nothing started while we looked
            polling = false;
            heap.afterPoll();
            return !quiet || woken || !pending || deadline - sleepUntil >= 0;
        } finally {
            OWNER.set(false);
        }
    }

    @Test
    void modelCheckCrossThreadRaces() throws NoSuchMethodException {
        Actor beforePoll = actor("beforePoll");
        Actor judge = actor("sleepIsSafe");
        Actor resetEarlier = actor("reset", 0);
        Actor resetLater = actor("reset", 1);
        Actor resetFar = actor("reset", 2);
        Actor stop = actor("stop");
        Actor runDue = actor("runDue");
        ModelCheckingOptions options = new ModelCheckingOptions()
                .iterations(0) // only the scenarios below, each explored exhaustively enough
                .invocationsPerIteration(Integer.getInteger("looptimer.lincheck.invocations", 1_000))
                // The owner publishes while two foreign threads re-arm the same idle timer, one
                // later than the published deadline and one earlier: the earlier one relies on
                // the hand-over of the first, which must not wake for the stale later deadline.
                .addCustomScenario(
                        scenario(List.of(List.of(beforePoll), List.of(resetLater), List.of(resetEarlier)), judge))
                .addCustomScenario(
                        scenario(List.of(List.of(beforePoll), List.of(resetFar), List.of(resetEarlier)), judge))
                // The plain Dekker pair, and a stop racing the re-arm.
                .addCustomScenario(scenario(List.of(List.of(beforePoll), List.of(resetEarlier)), judge))
                .addCustomScenario(
                        scenario(List.of(List.of(beforePoll), List.of(resetEarlier, stop), List.of(resetLater)), judge))
                // Re-armed again while the owner's drain is placing the first hand-over.
                .addCustomScenario(scenario(List.of(List.of(beforePoll), List.of(resetLater, resetEarlier)), judge))
                // A pass racing stop and re-arm of a due timer: the pass's count and the
                // returns of stop/reset must fit one order (never "stopped" and run, never lost).
                .addCustomScenario(new ExecutionScenario(
                        List.of(resetEarlier),
                        List.of(List.of(runDue), List.of(stop), List.of(resetFar)),
                        List.of(),
                        null));
        options.check(CrossThreadLincheckTest.class);
    }

    private static ExecutionScenario scenario(List<List<Actor>> parallel, Actor post) {
        return new ExecutionScenario(List.of(), parallel, List.of(post), null);
    }

    private static Actor actor(String name, Object... args) throws NoSuchMethodException {
        Method method = args.length == 0
                ? CrossThreadLincheckTest.class.getMethod(name)
                : CrossThreadLincheckTest.class.getMethod(name, int.class);
        return new Actor(method, List.of(args), false, false, false, false, false);
    }
}
