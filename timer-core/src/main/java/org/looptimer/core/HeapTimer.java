package org.looptimer.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;

/**
 * A one-shot timer living in a {@link TimerHeap}; {@link PeriodicTimer} adds a period.
 *
 * <h2>The timer state machine</h2>
 *
 * <p>This is the one place the states and their transitions are written down. A timer's whole
 * shared state is one {@code long}, {@link #word}: the deadline {@code when} (nanoseconds from the
 * heap's origin) in the high 61 bits, a state in the low two bits and a {@code QUEUED} flag in
 * bit 2. Packing deadline and state together makes every transition a single CAS, so no state is
 * ever "being modified" and no thread ever waits for another (Go's old {@code timerModifying}
 * spin states are not needed).
 *
 * <pre>
 *   IDLE      not armed, and no heap entry: new, ran (one-shot), or stopped and removed
 *   PENDING   armed; exactly one entry exists, in the heap or in the inbox as a new timer
 *   STOPPED   disarmed lazily; its entry is still in the heap or inbox and the owner will drop it
 *   QUEUED    flag: a reference to this timer sits in the inbox; the owner will reconcile the
 *             heap with the word when it drains it, and nobody needs to enqueue it again
 * </pre>
 *
 * <p>Every legal transition (O = owner thread only, F = foreign thread, A = any thread):
 *
 * <pre>
 *   IDLE    -> PENDING     A  schedule / reset. O inserts into the heap at once; F sets QUEUED
 *                             and enqueues the timer, and wakes the owner if the deadline is
 *                             earlier than the one it sleeps toward.
 *   PENDING -> PENDING     A  reset to a later deadline: only the word changes (lazy). The entry
 *                             keeps its earlier key; when it reaches the top the owner moves it
 *                             down to the new deadline.
 *   PENDING -> PENDING     A  reset to an earlier deadline: O moves the entry up at once; F sets
 *                             QUEUED (if not set) and enqueues a notice, and may wake the owner.
 *   PENDING -> PENDING     O  a ticker runs: next deadline = when + period * (1 + (now-when)/period),
 *                             so missed ticks are skipped, never burst.
 *   PENDING -> IDLE        O  a one-shot runs; or O stops a timer whose entry is in the heap,
 *                             and removes the entry at once.
 *   PENDING -> STOPPED     A  stop by F, or by O while the entry is still in the inbox. One CAS
 *                             and a counter; never enqueues, never wakes.
 *   STOPPED -> PENDING     A  reset before the owner dropped the entry: the entry is reused.
 *   STOPPED -> IDLE        O  the entry reaches the top, is swept, or is drained from the inbox.
 *   any     -> any+QUEUED  F  as above; O clears QUEUED when it drains the reference.
 *   any     -> IDLE        O  the heap closes: every timer is disarmed and its entry dropped.
 * </pre>
 *
 * <p>Invariants the owner relies on: a PENDING timer's heap key is never later than its
 * {@code when} unless QUEUED is set (an earlier re-arm is on its way through the inbox); an entry
 * exists exactly while the state is PENDING or STOPPED; {@link #index} is the entry's heap slot,
 * or -1 while it has none (IDLE, or still in the inbox).
 *
 * <h2>Threads</h2>
 *
 * <p>{@link #word} is read and CASed by any thread; {@link #index} is the owner's alone and plain.
 * Every {@link TimerHandle} method is safe from any thread.
 *
 * <p>Footprint: 12-byte header, two references, the word and the index: 32 bytes with compressed
 * oops, plus 16 bytes of heap slot (key, sequence, reference).
 */
class HeapTimer implements TimerHandle {

    static final int IDLE = 0;
    static final int PENDING = 1;
    static final int STOPPED = 2;
    static final int STATE_MASK = 3;
    static final int QUEUED = 4;
    static final int WHEN_SHIFT = 3;

    /** The largest deadline a word can hold; a deadline this far out never fires. */
    static final long NEVER = (1L << (63 - WHEN_SHIFT)) - 1;

    private static final VarHandle WORD;

    static {
        try {
            WORD = MethodHandles.lookup().findVarHandle(HeapTimer.class, "word", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final TimerHeap heap;
    final Runnable task;

    /** Deadline and state; see the class comment. Volatile reads, CAS writes. */
    private volatile long word;

    /** Heap slot of this timer's entry, -1 when it has none. Owner thread only, plain. */
    int index = -1;

    HeapTimer(TimerHeap heap, Runnable task, long initialWord) {
        this.heap = heap;
        this.task = task;
        // Plain store: the timer is published to other threads only through the inbox (a
        // release) or by returning it to the caller, both after this constructor ends.
        WORD.set(this, initialWord);
    }

    static long pack(long when, int bits) {
        return (when << WHEN_SHIFT) | bits;
    }

    static long when(long word) {
        return word >>> WHEN_SHIFT;
    }

    static int state(long word) {
        return (int) word & STATE_MASK;
    }

    static boolean queued(long word) {
        return (word & QUEUED) != 0;
    }

    /** Volatile read: pairs with the CAS that last changed the word. */
    final long word() {
        return word;
    }

    /** Volatile CAS: every state transition goes through here. */
    final boolean cas(long expect, long update) {
        return WORD.compareAndSet(this, expect, update);
    }

    /** The period of a ticker, 0 for a one-shot timer. */
    long period() {
        return 0;
    }

    @Override
    public final boolean stop() {
        return heap.stop(this);
    }

    @Override
    public boolean reset(long delay, TimeUnit unit) {
        return heap.reset(this, delay, unit, 0);
    }

    @Override
    public final boolean isPending() {
        return state(word) == PENDING;
    }

    @Override
    public final boolean isPeriodic() {
        return period() != 0;
    }

    @Override
    public final long deadlineNanos() {
        return heap.toClockNanos(when(word));
    }

    @Override
    public String toString() {
        long w = word;
        String state = switch (state(w)) {
            case PENDING -> "pending";
            case STOPPED -> "stopped";
            default -> "idle";
        };
        return (isPeriodic() ? "Ticker[" : "Timer[") + state + ", task=" + task + "]";
    }
}
