package org.looptimer.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A one-shot timer living in a {@link TimerHeap}; {@link PeriodicTimer} adds a period, and
 * {@link AbstractTimer} lets an adapter's own object be the timer and its callback. The
 * {@link TimerHandle} methods hand over to the heap; the state transitions are methods of this
 * class, and the heap does the upkeep that each one calls for (Go splits {@code time.go} the same
 * way: {@code t.stop} and {@code t.modify} on the timer, {@code cleanHead} and {@code adjust} on
 * the set).
 *
 * <h2>The timer state machine</h2>
 *
 * <p>This is the one place the states and their transitions are written down. A timer's whole
 * shared state is one {@code long}, {@link #word}: the deadline {@code when} (nanoseconds from the
 * heap's origin, see {@link HeapClock}, up to about 18 years) in the high 60 bits, a state in the
 * low two bits, a {@code QUEUED} flag in bit 2 and an {@code UNCOUNTED} flag in bit 3. Packing deadline and state together makes every transition a
 * single CAS, so no state is ever "being modified" and no thread ever waits for another (Go's old
 * {@code timerModifying} spin states are not needed).
 *
 * <pre>
 *   IDLE      not armed, and no heap entry: new, ran (one-shot), or stopped and removed
 *   PENDING   armed; exactly one entry exists, in the heap or in the inbox as a new timer
 *   STOPPED   disarmed lazily; its entry is still in the heap or inbox and the owner will drop it
 *   CLOSED    disarmed by the heap's close, which handed its task over if it was PENDING; no entry
 *   QUEUED    flag: a reference to this timer sits in the inbox; the owner will reconcile the
 *             heap with the word when it drains it, and nobody needs to enqueue it again
 *   UNCOUNTED flag: armed by another thread from IDLE (or CLOSED), so not yet in the heap's
 *             counts; the owner counts it when it drains it. Only with QUEUED and no entry, and
 *             never in a heap with a maxTimers limit, whose armed count must be exact up front
 * </pre>
 *
 * <p>Every legal transition (O = owner thread only, F = foreign thread, A = any thread), with the
 * method that makes it:
 *
 * <pre>
 *   IDLE    -> PENDING     A  {@link #arm}: schedule or reset. O inserts into the heap at once; F
 *                             sets QUEUED (and UNCOUNTED, unless the heap has a limit) and
 *                             enqueues the timer. An {@link AbstractTimer} is born IDLE, and its
 *                             first reset or resetAt is this transition.
 *   IDLE    -> PENDING     O  {@link #armUnpublished}: an {@link AbstractTimer} armed by its own
 *                             constructor on the owner thread. A plain store: no other thread
 *                             can reach the timer yet, so there is nothing to race.
 *   PENDING -> PENDING     A  {@link #arm} to a later deadline: only the word changes (lazy). The
 *                             entry keeps its earlier key; when it reaches the top the owner moves
 *                             it down to the new deadline, and when its wheel bucket is cascaded
 *                             the owner moves it on to the bucket of the new deadline.
 *   PENDING -> PENDING     A  {@link #arm} to an earlier deadline: O moves the entry up at once;
 *                             F sets QUEUED (if not set) and enqueues a notice.
 *   PENDING -> PENDING     O  {@link #advance}: a ticker runs; next deadline
 *                             = when + period * (1 + (now - when) / period), so missed ticks are
 *                             skipped, never burst.
 *   PENDING -> IDLE        O  {@link #retire}: a one-shot runs ({@link #runTask} right after; for
 *                             an AbstractTimer, its own run()). {@link #disarmInHeap}: O stops a
 *                             timer that has an entry (nursery, heap or wheel), and removes it
 *                             at once.
 *   PENDING -> STOPPED     A  {@link #markStopped}: stop by F, or by O while the entry is still in
 *                             the inbox. One CAS and a counter; never enqueues, never wakes.
 *   STOPPED -> PENDING     A  {@link #arm} before the owner dropped the entry: the entry is reused.
 *   STOPPED -> IDLE        O  {@link #retire}: the entry reaches the heap's top, or is swept
 *                             (from the heap or a wheel bucket). {@link #retireDrained}: the
 *                             entry is drained from the inbox; QUEUED is cleared in the same CAS.
 *   any     -> any+QUEUED  F  {@link #arm}, as above; O clears QUEUED when it drains the reference
 *                             ({@link #clearQueued}, or {@link #retireDrained}), and UNCOUNTED
 *                             with it. UNCOUNTED stays through F's stops and re-arms; O's own
 *                             {@link #arm} clears it, as O counts and places the timer at once.
 *   any     -> CLOSED      O  {@link #close}: the heap closes; every timer in its heap or inbox
 *                             is disarmed, its flags cleared, and its entry dropped.
 *   CLOSED  -> PENDING     F  {@link #arm}: a foreign arming that passed the closed check just
 *                             before close; it then finds the heap closed, and undoes itself:
 *   PENDING -> IDLE        F  {@link #undoArming}: a foreign arming that finds the heap closed,
 *   STOPPED -> IDLE           if it is what made the timer pending (from IDLE, STOPPED or
 *                             CLOSED). Had close disarmed the timer first (CLOSED), the arming
 *                             happened before close, which handed its task over.
 * </pre>
 *
 * <p>The heap's counts ({@link TimerCounts}) count words: armed is the number of PENDING words
 * without UNCOUNTED, stopped the number of STOPPED words without it, and the thread that makes a
 * transition changes them by its difference. A foreign schedule that is cancelled before the
 * owner's next pass (a request timeout) thus touches no shared counter at all.
 *
 * <p>Slack ({@link TimerHeap.Builder#slack}, {@link Deadlines#coalesce}) and leak detection
 * ({@link LeakDetection}) add no state and no transition: slack only moves the owner's wake-up or
 * a deadline before it is armed, and leak detection watches a wrapper of the handle from outside.
 *
 * <p>Where an entry lives: in the owner's {@link DeadlineQueue}: in its nursery (armed by the
 * owner since its last pass), its near heap or its sorted run, keyed by a deadline, or in a bucket
 * of one of its two wheel levels, keyed by the bucket's first nanosecond; the queue moves entries
 * toward the heap and the run, keyed by each timer's {@code when} at that moment, before their top
 * could be later than anything elsewhere. The states and transitions above do not depend on which.
 *
 * <p>Invariants the owner relies on: an entry's key (its heap or nursery key, or its wheel bucket's start) is
 * never later than its timer's {@code when} unless QUEUED is set (an earlier re-arm is on its way
 * through the inbox), whether the timer is PENDING or STOPPED; an entry exists exactly while the
 * state is PENDING or STOPPED; {@link #index} locates the entry: its heap, nursery or run slot
 * ({@code >= 0}), its wheel position ({@code <= -2}, see {@link FarWheel}), or -1 while it has none
 * (IDLE, or still in the inbox).
 *
 * <h2>Threads</h2>
 *
 * <p>{@link #word} is read and CASed by any thread; {@link #index} is the owner's alone and plain.
 * Every {@link TimerHandle} method is safe from any thread.
 *
 * <h2>Timers that are their own callback</h2>
 *
 * <p>An {@link AbstractTimer} subclass (in any package) is a HeapTimer whose {@link #task} slot
 * holds what the subclass needs, and which it may drop; the heap calls its {@code run()} where it
 * would run a task ({@link #runTask}), its {@code disarmedByClose()} where close would hand a
 * task over ({@link #disarmedByClose(java.util.function.Consumer)}), and its {@code stopped()}
 * after a {@link #stop()} that prevented a run ({@link #stoppedByHandle}). It adds no state, and
 * one transition, its constructor's arming on the owner ({@link #armUnpublished}): the word, the
 * index and the heap stay package-private, so a subclass reaches the timer only through the
 * {@link TimerHandle} methods, like any user.
 *
 * <p>Footprint: 12-byte header, two references, the word and the index: 32 bytes with compressed
 * oops, plus 8 bytes of wheel slot (reference, sequence) or 16 bytes of heap or nursery slot (key,
 * sequence, reference); the slot arrays are at most twice the entries they hold.
 */
class HeapTimer implements TimerHandle {

    // The state, in the word's low two bits.
    static final int IDLE = 0;
    static final int PENDING = 1;
    static final int STOPPED = 2;
    static final int CLOSED = 3;
    static final int STATE_MASK = 3;
    /** Flag in bit 2: a reference to the timer is in the inbox. */
    static final int QUEUED = 4;
    /** Flag in bit 3: armed by another thread and not counted yet; the drain counts it. */
    static final int UNCOUNTED = 8;
    /** The deadline occupies the bits above the state and the flags. */
    static final int WHEN_SHIFT = 4;

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

    /**
     * The callback: a {@link Runnable} for the heap's own timers, which never change it; for an
     * {@link AbstractTimer}, whatever its subclass runs, and null once the subclass dropped it.
     * Plain: see {@link AbstractTimer#dropTask()}.
     */
    Object task;

    /** Deadline and state; see the class comment. Volatile reads, CAS writes. */
    private volatile long word;

    /** Where the entry is: heap or nursery slot, wheel position, or -1 (see the class comment). Owner only, plain. */
    int index = -1;

    HeapTimer(TimerHeap heap, Object task, long initialWord) {
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

    static boolean uncounted(long word) {
        return (word & UNCOUNTED) != 0;
    }

    /** Whether {@code word} is in the heap's armed count: PENDING, and counted. */
    static boolean countedArmed(long word) {
        return state(word) == PENDING && !uncounted(word);
    }

    /** Whether {@code word} is in the heap's stopped count: STOPPED, and counted. */
    static boolean countedStopped(long word) {
        return state(word) == STOPPED && !uncounted(word);
    }

    /** {@code word} with its state replaced, its deadline and QUEUED flag kept. */
    private static long withState(long word, int state) {
        return (word & ~STATE_MASK) | state;
    }

    /**
     * Whether a foreign arming from {@code word} to {@code when} needs the owner to look at the
     * heap: there is no entry to reuse, or the entry's key may be later than {@code when}. A later
     * re-arm of an existing entry stays lazy: its key is never later than the old {@code when}.
     */
    static boolean needsOwner(long word, long when) {
        int state = state(word);
        return state == IDLE || state == CLOSED || when < when(word);
    }

    /** Volatile read: pairs with the CAS that last changed the word. */
    final long word() {
        return word;
    }

    /** The period of a ticker, 0 for a one-shot timer. */
    long period() {
        return 0;
    }

    /** Owner, inside a pass, once the timer's word says it is due: runs the callback. */
    void runTask() {
        ((Runnable) task).run();
    }

    /** Any thread, after {@link #stop()} prevented a run: the heap's own timers need no notice. */
    void stoppedByHandle() {}

    /**
     * Owner, after {@link TimerHeap#close} disarmed this pending timer: tells whoever must know
     * that it will never run. The heap's own timers hand their task to {@code disarmedTasks}.
     */
    void disarmedByClose(Consumer<? super Runnable> disarmedTasks) {
        if (disarmedTasks != null) {
            disarmedTasks.accept((Runnable) task);
        }
    }

    // ------------------------------------------------------------------------------------------
    // Transitions: volatile CASes on the word. Those given the word they saw fail if another
    // thread moved it first; the others retry.
    // ------------------------------------------------------------------------------------------

    /**
     * Any thread: IDLE, PENDING or STOPPED to PENDING at {@code when}, if the word is still
     * {@code seen}. A foreign caller ({@code viaInbox}) also sets QUEUED when {@link #needsOwner}
     * says the owner must look; it must then enqueue the timer unless {@code seen} had QUEUED
     * already. The owner keeps whatever QUEUED flag is there: that reference is still to be
     * drained.
     *
     * <p>UNCOUNTED, when {@code countLater}: a foreign arming of a timer outside the counts sets
     * or keeps it, and leaves the count to the drain; the owner's arming clears it, and counts.
     *
     * @param countLater a foreign arming in a heap without a limit: the drain may count it
     * @return false if another thread changed the word first
     */
    final boolean arm(long seen, long when, boolean viaInbox, boolean countLater) {
        boolean queue = queued(seen) || (viaInbox && needsOwner(seen, when));
        boolean uncounted = viaInbox && countLater && !countedArmed(seen) && !countedStopped(seen);
        return WORD.compareAndSet(this, seen, pack(when, PENDING | (queue ? QUEUED : 0) | (uncounted ? UNCOUNTED : 0)));
    }

    /**
     * Owner, for a timer that no other thread can reach yet (an {@link AbstractTimer} inside its
     * constructor): IDLE to PENDING at {@code when}; the caller adds its entry.
     */
    final void armUnpublished(long when) {
        // Plain store, as in the constructor: other threads reach the timer only after its
        // constructor returned, through the caller's own hand-off.
        WORD.set(this, pack(when, PENDING));
    }

    /** What {@link #markStopped} returns for a timer that was not pending; no word is negative. */
    static final long NOT_PENDING = -1;

    /**
     * Any thread: PENDING to STOPPED, lazily; deadline and flags kept.
     *
     * @return the word before, or {@link #NOT_PENDING}
     */
    final long markStopped() {
        return leavePending(STOPPED);
    }

    /**
     * Owner, for a timer whose entry is in the heap (so counted): PENDING to IDLE; the caller
     * removes the entry. @return false if it was not pending
     */
    final boolean disarmInHeap() {
        return leavePending(IDLE) != NOT_PENDING;
    }

    /** PENDING to {@code state}, deadline and flags kept. @return the word before, or NOT_PENDING */
    private long leavePending(int state) {
        for (; ; ) {
            long w = word;
            if (state(w) != PENDING) {
                return NOT_PENDING;
            }
            if (WORD.compareAndSet(this, w, withState(w, state))) {
                return w;
            }
        }
    }

    /**
     * Owner: a due one-shot (PENDING) or a dropped entry (STOPPED) to IDLE, if the word is still
     * {@code seen}; QUEUED is kept. @return false if another thread changed the word first
     */
    final boolean retire(long seen) {
        return WORD.compareAndSet(this, seen, withState(seen, IDLE));
    }

    /**
     * Owner: a due ticker, PENDING at {@code seen}, to PENDING at {@code next}; QUEUED is kept.
     * @return false if another thread changed the word first
     */
    final boolean advance(long seen, long next) {
        return WORD.compareAndSet(this, seen, pack(next, PENDING | ((int) seen & QUEUED)));
    }

    /**
     * Owner, draining the inbox: clears QUEUED, and UNCOUNTED with it (the caller counts), if the
     * word is still {@code seen}. @return false if another thread changed the word first
     */
    final boolean clearQueued(long seen) {
        return WORD.compareAndSet(this, seen, seen & ~(QUEUED | UNCOUNTED));
    }

    /**
     * Owner, draining the inbox: a timer stopped before it had an entry, STOPPED at {@code seen},
     * to IDLE with its flags cleared, in one CAS rather than {@link #clearQueued} then
     * {@link #retire}: the cancelled request timeout, the common case of a foreign drain.
     * @return false if another thread changed the word first
     */
    final boolean retireDrained(long seen) {
        return WORD.compareAndSet(this, seen, pack(when(seen), IDLE));
    }

    /**
     * Owner, closing the heap: any state to CLOSED, flags cleared.
     *
     * @return the word before
     */
    final long close() {
        for (; ; ) {
            long w = word;
            if (WORD.compareAndSet(this, w, pack(when(w), CLOSED))) {
                return w;
            }
        }
    }

    /**
     * Foreign, for an arming that found the heap closed: PENDING or STOPPED to IDLE, flags
     * cleared; IDLE and CLOSED stay.
     *
     * @return the word before
     */
    final long undoArming() {
        for (; ; ) {
            long w = word;
            int state = state(w);
            if (state == IDLE || state == CLOSED) {
                return w;
            }
            if (WORD.compareAndSet(this, w, pack(when(w), IDLE))) {
                return w;
            }
        }
    }

    // ------------------------------------------------------------------------------------------
    // TimerHandle: any thread
    // ------------------------------------------------------------------------------------------

    @Override
    public final boolean stop() {
        if (heap.stop(this)) {
            stoppedByHandle();
            return true;
        }
        return false;
    }

    @Override
    public boolean reset(long delay, TimeUnit unit) {
        Objects.requireNonNull(unit, "unit");
        return heap.reset(this, unit.toNanos(delay), 0);
    }

    @Override
    public final boolean resetAt(long deadlineNanos) {
        return heap.resetAt(this, deadlineNanos);
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
            case CLOSED -> "closed";
            default -> "idle";
        };
        return (isPeriodic() ? "Ticker[" : "Timer[") + state + ", task=" + task + "]";
    }
}
