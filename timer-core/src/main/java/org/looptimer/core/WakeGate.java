package org.looptimer.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.LongAdder;

/**
 * The owner's published sleep deadline, and the rule that decides whether a foreign thread must
 * wake it: Go's {@code wakeNetPoller}.
 *
 * <p>While the owner is awake the gate holds {@link #AWAKE}, and nobody wakes it: it drains its
 * inbox before it sleeps. Before blocking, the owner publishes the deadline it will sleep toward
 * ({@link #publish}), then drains what was handed over before it (the inbox's producer index, read
 * after the publish). A foreign thread first makes its work visible (an inbox offer, a full
 * fence), then calls {@link #wakeIfEarlier}. This is a Dekker pair: with both
 * sides' store-then-load ordered by volatile accesses, at least one side sees the other, so either
 * the owner finds the work before blocking or the foreign thread sees the deadline and wakes it.
 * The foreign thread that wins the CAS back to {@link #AWAKE} is the only one that calls the
 * {@link Waker} in this poll: at most one wake-up per poll. (If the owner's drain then brings its
 * deadline forward, it publishes again, and a second thread may wake it once more; the sticky
 * wake-up only makes the poll return at once.)
 *
 * <p>Threads: {@link #publish} and {@link #awake} on the owner only; {@link #wakeIfEarlier} and
 * {@link #wakeIfAsleep} on any foreign thread; {@link #wakeupsRequested} from any thread.
 */
final class WakeGate {

    /** The owner is awake (or already being woken): no deadline is earlier than this. */
    static final long AWAKE = Long.MIN_VALUE;

    private static final VarHandle SLEEP_UNTIL;

    static {
        try {
            SLEEP_UNTIL = MethodHandles.lookup().findVarHandle(WakeGate.class, "sleepUntil", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Waker waker;
    private volatile long sleepUntil = AWAKE;
    // Counted only on the rare path that wakes; the elided ones are counted by the inbox's offers,
    // which cost no atomic of their own (see Inbox#handOversElided).
    private final LongAdder requested = new LongAdder();

    WakeGate(Waker waker) {
        this.waker = waker;
    }

    /**
     * Owner: announces the deadline it is about to sleep toward. Volatile store, so that the
     * inbox check that follows cannot be reordered before it (the owner half of the Dekker pair).
     */
    void publish(long deadline) {
        sleepUntil = deadline;
    }

    /**
     * Owner: it is awake again. A release store is enough: a foreign thread that still reads the
     * old deadline wakes a loop that is already awake, and the sticky wake-up only shortens its
     * next poll; nothing is lost.
     */
    void awake() {
        SLEEP_UNTIL.setRelease(this, AWAKE);
    }

    /**
     * Foreign thread, after its work is visible to the owner: wakes the owner if {@code deadline}
     * is earlier than the one it sleeps toward and nobody woke it yet in this poll.
     *
     * @return whether this call woke the owner
     */
    boolean wakeIfEarlier(long deadline) {
        long until = sleepUntil; // volatile load: the foreign half of the Dekker pair
        if (deadline < until && SLEEP_UNTIL.compareAndSet(this, until, AWAKE)) {
            requested.increment();
            waker.wakeup();
            return true;
        }
        return false;
    }

    /**
     * Foreign thread, after its work is visible to the owner: wakes the owner if it sleeps,
     * whatever its deadline, and nobody woke it yet in this poll. For work that must not wait for
     * the deadline, such as a backlog that would otherwise grow until then.
     *
     * @return whether this call woke the owner
     */
    boolean wakeIfAsleep() {
        return wakeIfEarlier(AWAKE + 1); // later than AWAKE, earlier than any deadline published
    }

    long wakeupsRequested() {
        return requested.sum();
    }
}
