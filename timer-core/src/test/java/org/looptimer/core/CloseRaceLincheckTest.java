package org.looptimer.core;

import static java.util.concurrent.TimeUnit.NANOSECONDS;

import java.lang.reflect.Method;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.jetbrains.kotlinx.lincheck.Actor;
import org.jetbrains.kotlinx.lincheck.execution.ExecutionScenario;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.junit.jupiter.api.Test;

/**
 * Lincheck model checking of {@link TimerHeap#close} racing foreign re-arms: every arming either
 * runs or is rejected, the pending count comes back to zero, and close hands over every task that
 * was pending when it began. Lincheck explores the interleavings at every shared-memory access and
 * checks that the results are those of some sequential order.
 *
 * <p>Two races found by reading the engine, each a scenario below:
 * <ul>
 *   <li>A timer re-armed earlier from another thread (QUEUED) and then stopped by the owner is
 *       IDLE but still QUEUED. A foreign reset that passed the closed check before close ran
 *       could arm it without enqueueing (QUEUED was set) and never look at {@code closed} again:
 *       neither run nor rejected, and pending forever.
 *   <li>A pending timer re-armed earlier from another thread while the heap closes: the re-arm's
 *       offer lands after close drained the inbox, and if the re-arm then disarmed the timer
 *       itself, close would miss its task.
 * </ul>
 *
 * <p>The owner is whoever runs an owner operation (a thread-local flag), so that Lincheck's
 * sequential replay on one thread still takes the foreign paths for the foreign operations.
 */
public class CloseRaceLincheckTest {

    private static final ThreadLocal<Boolean> OWNER = ThreadLocal.withInitial(() -> false);

    private final AtomicInteger handedOver = new AtomicInteger();
    private final TimerHeap heap;
    private final TimerHandle target;

    public CloseRaceLincheckTest() {
        heap = TimerHeap.builder()
                .clock(new ManualClock(0))
                .ownerCheck(OWNER::get)
                .wheelShift(4) // 16 ns buckets: the target waits in the wheel, an earlier re-arm in the heap
                .build();
        target = owner(() -> heap.schedule(() -> {}, 1_000, NANOSECONDS));
    }

    private static <T> T owner(java.util.function.Supplier<T> action) {
        OWNER.set(true);
        try {
            return action.get();
        } finally {
            OWNER.set(false);
        }
    }

    /** Foreign: re-arms the target 10 ns out, earlier than its deadline: a hand-over. */
    @Operation
    public String resetEarlier() {
        try {
            return String.valueOf(target.reset(10, NANOSECONDS));
        } catch (RejectedExecutionException closed) {
            return "rejected";
        }
    }

    /** Foreign: re-arms the target 5 ns out. */
    @Operation
    public String resetEarlierStill() {
        try {
            return String.valueOf(target.reset(5, NANOSECONDS));
        } catch (RejectedExecutionException closed) {
            return "rejected";
        }
    }

    @Operation(nonParallelGroup = "owner")
    public boolean ownerStop() {
        return owner(target::stop);
    }

    @Operation(nonParallelGroup = "owner")
    public void close() {
        owner(() -> {
            heap.close(task -> handedOver.incrementAndGet());
            return null;
        });
    }

    /** After everything: the target, the count and what close handed over. */
    @Operation(nonParallelGroup = "owner")
    public String outcome() {
        return "pending=" + target.isPending() + ", counted=" + heap.stats().pendingTimers() + ", handedOver="
                + handedOver.get();
    }

    @Test
    void everyArmingThatRacesCloseRunsOrIsRejected() throws NoSuchMethodException {
        Actor resetEarlier = actor("resetEarlier");
        Actor resetEarlierStill = actor("resetEarlierStill");
        Actor ownerStop = actor("ownerStop");
        Actor close = actor("close");
        Actor outcome = actor("outcome");
        ModelCheckingOptions options = new ModelCheckingOptions()
                .iterations(0)
                .invocationsPerIteration(Integer.getInteger("looptimer.lincheck.invocations", 1_000))
                // IDLE|QUEUED: re-armed earlier from another thread, then stopped by the owner.
                .addCustomScenario(new ExecutionScenario(
                        List.of(resetEarlier, ownerStop),
                        List.of(List.of(close), List.of(resetEarlierStill)),
                        List.of(outcome),
                        null))
                // Pending in the heap while a foreign earlier re-arm races close.
                .addCustomScenario(new ExecutionScenario(
                        List.of(), List.of(List.of(close), List.of(resetEarlier)), List.of(outcome), null))
                // Two foreign re-arms of a pending timer racing close.
                .addCustomScenario(new ExecutionScenario(
                        List.of(),
                        List.of(List.of(close), List.of(resetEarlier), List.of(resetEarlierStill)),
                        List.of(outcome),
                        null));
        options.check(CloseRaceLincheckTest.class);
    }

    private static Actor actor(String name) throws NoSuchMethodException {
        Method method = CloseRaceLincheckTest.class.getMethod(name);
        return new Actor(method, List.of(), false, false, false, false, false);
    }
}
