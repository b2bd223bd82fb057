package org.looptimer.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.jctools.queues.MessagePassingQueue;

/**
 * A timer heap with one owner thread, serviced between the owner's polls: the design of Go's
 * runtime timers, where each P owns a heap that its scheduler and netpoller service. It is
 * {@link Timers} for anyone, and the driver for the code that runs the owner's loop; hand users
 * {@link #timers()}, which cannot reach the driver.
 *
 * <pre>{@code
 * TimerHeap heap = TimerHeap.builder().waker(selector::wakeup).build();   // on the owner thread
 * Timers timers = heap.timers();                                           // for everyone else
 *
 * while (running) {                                      // the owner's loop
 *     long deadline = heap.beforePoll();                 // drain, publish, drain what came before
 *     selector.select(millisUntil(deadline));            // sleeps; a foreign earlier timer wakes it
 *     heap.afterPoll();
 *     heap.runDue(System.nanoTime());                    // run what is due
 * }
 * }</pre>
 *
 * <p>Threads: the {@link Timers} methods and every {@link TimerHandle} method, any thread.
 * {@link #beforePoll}, {@link #afterPoll}, {@link #runDue} and {@link #close}: the owner only, an
 * {@link IllegalStateException} elsewhere. Callbacks run on the owner, inside {@link #runDue}, and
 * may use the heap freely.
 *
 * <h2>Implementation notes</h2>
 *
 * <ul>
 *   <li><b>One owner, no locks.</b> Only the owner touches the {@link DeadlineQueue}. Other
 *       threads either flip a timer's state with one CAS (stop, later re-arm) or hand the owner
 *       the timer through the {@link Inbox} (schedule, earlier re-arm), which the owner drains in
 *       batches. The states and transitions are documented once, in {@link HeapTimer}.
 *   <li><b>Lazy stop and lazy later re-arm</b>, as Go's {@code cleantimers}: a stopped entry
 *       leaves the heap when it reaches the top or when stopped entries pass a quarter of the heap
 *       and it is swept; a later re-arm only records the new deadline and the entry is moved down
 *       when it surfaces. The owner itself removes an entry it stops at once, which is cheaper
 *       than sweeping it later.
 *   <li><b>Nursery, near heap, far wheels.</b> The {@link DeadlineQueue} keeps what the owner
 *       armed since its last pass in a small unordered nursery, timers due within about one
 *       34 ms bucket in a 4-ary heap, and later ones in O(1) buckets of two wheel levels (up to
 *       about 4.6 minutes and 4.9 hours out), cascaded toward the heap as they come near;
 *       deadlines stay exact everywhere.
 *   <li><b>Deadline-aware wake-ups</b>, as Go's {@code wakeNetPoller}: see {@link WakeGate}.
 *   <li><b>Never early.</b> Every delay is measured from a clock reading taken by the call, on
 *       every thread; the {@code now} a pass is given only decides what is due. Timers armed
 *       during a pass wait for the next one, even when already due.
 *   <li><b>Close.</b> Every arming that races {@link #close} either runs, or is rejected and
 *       undone: an arming from another thread re-checks the closed flag after its CAS (and its
 *       offer), and if it is what made the timer pending, it disarms the timer itself. A timer
 *       that was already pending is left for close to disarm and hand over.
 *   <li><b>Time</b> is kept as offsets from the heap's origin ({@link HeapClock}).
 *   <li><b>Slack</b> ({@link Builder#slack}) moves only the wake-up: {@link #beforePoll} returns
 *       and publishes the earliest key plus the slack, so the timers due within it run in one
 *       pass. What is due is still decided by each timer's own deadline, so slack makes timers
 *       late by at most its amount and never early; no state or transition is added.
 *   <li><b>Observability off the hot path.</b> A fired timer adds its lateness to a fixed
 *       histogram ({@link LatenessRecorder}); leak detection lives beside the timers
 *       ({@link LeakTracker}), and with it disabled a schedule pays one null check.
 * </ul>
 */
public final class TimerHeap implements Timers, AutoCloseable {

    /** Inbox elements per drain; a pass drains at most this many, the rest waits a poll. */
    private static final int DRAIN_LIMIT = 64 * 1024;

    /** How long {@link #beforePoll} waits for a claimed inbox slot to be written. */
    private static final long UNWRITTEN_SLOT_WAIT_NANOS = 50_000;

    private static final VarHandle NEXT_DEADLINE;
    private static final VarHandle FIRED;
    private static final VarHandle FAILURES;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            NEXT_DEADLINE = lookup.findVarHandle(TimerHeap.class, "nextDeadline", long.class);
            FIRED = lookup.findVarHandle(TimerHeap.class, "fired", long.class);
            FAILURES = lookup.findVarHandle(TimerHeap.class, "failures", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final HeapClock time;
    private final BooleanSupplier ownerCheck;
    private final TimerFailureHandler failureHandler;
    private final Timers view = new TimersView(this);
    private final WakeGate gate;
    private final Inbox inbox;
    /** Armed timers and stopped entries; see TimerCounts for who may write which. */
    private final TimerCounts counts;
    /** How late fired timers ran; the owner records, anyone snapshots. */
    private final LatenessRecorder lateness = new LatenessRecorder();
    /** Creation sites and unreachable handles; null when leak detection is disabled. */
    private final LeakTracker leaks;
    /** How much later than its earliest deadline the owner may wake; see {@link Builder#slack}. */
    private final long slack;

    // --- owner only, plain ---
    private final DeadlineQueue entries;
    private final MessagePassingQueue.Consumer<HeapTimer> applyFromInbox = this::applyFromInbox;
    private final DeadlineQueue.Sweeper sweeper = this::sweepEntry;
    /** The pass in progress, if any, and its time; see {@link #ownerDeadline}. */
    private boolean running;

    private long passNow;

    // --- written by the owner, read by any thread: opaque, whole values and no fences ---
    /** No later than the earliest key, exact after each pass: for {@link #nextDeadlineNanos}. */
    // Read and written only through NEXT_DEADLINE, with opaque access.
    @SuppressWarnings("UnusedVariable")
    private volatile long nextDeadline = HeapTimer.NEVER;

    private volatile long fired;
    private volatile long failures;

    private TimerHeap(Builder b) {
        this.time = new HeapClock(b.clock);
        this.ownerCheck = b.ownerCheck != null ? b.ownerCheck : currentThreadCheck();
        this.failureHandler = b.failureHandler != null ? b.failureHandler : TimerHeap::logFailure;
        this.gate = new WakeGate(b.waker);
        this.inbox = new Inbox(gate);
        this.leaks = LeakTracker.create(b.leakDetection, b.stopLeaked);
        this.counts = new TimerCounts(b.maxTimers, this::topSiteForRejection);
        this.slack = b.slack;
        this.entries = new DeadlineQueue(b.wheelShift);
    }

    /** A builder with the system clock, no waker, the calling thread as owner and no limit. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The scheduling half of this heap, for code that must not drive it: it forwards the
     * {@link Timers} methods and leads nowhere else. Any thread; always the same instance.
     */
    public Timers timers() {
        return view;
    }

    // ------------------------------------------------------------------------------------------
    // Scheduling: any thread
    // ------------------------------------------------------------------------------------------

    @Override
    public TimerHandle schedule(Runnable task, long delay, TimeUnit unit) {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(unit, "unit");
        return tracked(arm(task, HeapClock.after(time.now(), unit.toNanos(delay)), 0));
    }

    @Override
    public TimerHandle scheduleAt(Runnable task, long deadlineNanos) {
        Objects.requireNonNull(task, "task");
        return tracked(arm(task, time.deadline(deadlineNanos), 0));
    }

    @Override
    public TimerHandle scheduleTicker(Runnable task, long period, TimeUnit unit) {
        Objects.requireNonNull(task, "task");
        long periodNanos = Deadlines.checkPeriod(period, unit);
        return tracked(arm(task, HeapClock.after(time.now(), periodNanos), periodNanos));
    }

    /** The handle for a new timer: itself, unless leak detection records it (see LeakTracker). */
    private TimerHandle tracked(HeapTimer t) {
        LeakTracker leaks = this.leaks;
        return leaks == null ? t : leaks.track(t);
    }

    private HeapTimer arm(Runnable task, long when, long periodNanos) {
        if (inbox.isClosed()) {
            throw closedRejection();
        }
        if (ownerCheck.getAsBoolean()) {
            when = ownerDeadline(when);
            counts.ownerArm();
            HeapTimer t = newTimer(task, HeapTimer.pack(when, HeapTimer.PENDING), periodNanos);
            entries.add(t, when);
            publishEarlier(when);
            return t;
        }
        // Counted when the owner drains it, unless a limit needs the count now (see HeapTimer).
        int flags = HeapTimer.QUEUED | HeapTimer.UNCOUNTED;
        if (counts.isLimited()) {
            counts.arm();
            flags = HeapTimer.QUEUED;
        }
        HeapTimer t = newTimer(task, HeapTimer.pack(when, HeapTimer.PENDING | flags), periodNanos);
        handOver(t, when, HeapTimer.IDLE);
        return t;
    }

    private HeapTimer newTimer(Runnable task, long word, long periodNanos) {
        return periodNanos == 0 ? new HeapTimer(this, task, word) : new PeriodicTimer(this, task, word, periodNanos);
    }

    /**
     * Foreign thread, after its CAS armed {@code t}: the inbox hands it to the owner; if the heap
     * closed meanwhile, the arming is undone or left to close.
     *
     * @param before the timer's word before this thread's CAS
     */
    private void handOver(HeapTimer t, long when, long before) {
        if (!inbox.handOver(t, when, before)) {
            abandonAfterClose(t, before);
        }
    }

    /**
     * Foreign thread: the heap closed while this thread armed {@code t}. If its CAS is what made
     * the timer pending, close may have passed the timer by, so this thread undoes the arming and
     * rejects it, unless close disarmed the timer first (CLOSED): then the arming happened before
     * close, which handed its task over. A timer that was pending already is close's to disarm.
     */
    private void abandonAfterClose(HeapTimer t, long before) {
        if (HeapTimer.state(before) == HeapTimer.PENDING) {
            return; // re-armed before close reached it: close disarms it and hands it over
        }
        long undone = t.undoArming();
        if (HeapTimer.state(undone) == HeapTimer.CLOSED) {
            return;
        }
        if (HeapTimer.countedArmed(undone)) {
            counts.disarm();
        } else if (HeapTimer.countedStopped(undone)) {
            counts.stoppedLeft(); // stopped by someone else since our CAS
        }
        throw closedRejection();
    }

    /**
     * From an {@link AbstractTimer}'s constructor, on any thread: arms the new timer, which no
     * other thread can reach yet, at {@code deadlineNanos} without an atomic instruction, if this
     * is the owner thread and the heap is open and has no {@code maxTimers} limit (whose count is
     * atomic anyway). Otherwise it leaves the timer IDLE, for the caller to arm with
     * {@code resetAt}.
     */
    void armNew(HeapTimer t, long deadlineNanos) {
        if (counts.isLimited() || inbox.isClosed() || !ownerCheck.getAsBoolean()) {
            return;
        }
        long when = ownerDeadline(time.deadline(deadlineNanos));
        counts.ownerArm();
        t.armUnpublished(when);
        entries.add(t, when);
        publishEarlier(when);
    }

    // ------------------------------------------------------------------------------------------
    // TimerHandle operations: any thread
    // ------------------------------------------------------------------------------------------

    boolean stop(HeapTimer t) {
        boolean owner = ownerCheck.getAsBoolean();
        if (owner && DeadlineQueue.contains(t)) {
            // The owner removes its own entry at once: cheaper than sweeping it later.
            if (!t.disarmInHeap()) {
                return false;
            }
            entries.remove(t);
            counts.ownerDisarm();
            // The published deadline stays: no later than the earliest left, as it must be, and
            // the owner's next pass brings it up to date.
            return true;
        }
        long before = t.markStopped();
        if (before == HeapTimer.NOT_PENDING) {
            return false;
        }
        if (HeapTimer.uncounted(before)) {
            return true; // armed from another thread and not drained yet: nothing to count
        }
        if (owner) {
            counts.ownerStop();
        } else {
            counts.stop();
        }
        return true;
    }

    /** @param periodNanos the ticker's new period, or 0 to keep it (or for a one-shot timer) */
    boolean reset(HeapTimer t, long delayNanos, long periodNanos) {
        return rearm(t, HeapClock.after(time.now(), delayNanos), periodNanos);
    }

    boolean resetAt(HeapTimer t, long deadlineNanos) {
        return rearm(t, time.deadline(deadlineNanos), 0);
    }

    private boolean rearm(HeapTimer t, long when, long periodNanos) {
        if (inbox.isClosed()) {
            throw closedRejection();
        }
        boolean owner = ownerCheck.getAsBoolean();
        if (owner) {
            when = ownerDeadline(when);
        }
        boolean countLater = !owner && !counts.isLimited();
        boolean reserved = false;
        long before;
        do {
            before = t.word();
            if (!reserved && armingCounts(before, countLater)) {
                // Counted before anything changes, so that a full heap rejects a no-op.
                reserve(owner);
                reserved = true;
            }
            if (periodNanos != 0) {
                ((PeriodicTimer) t).period(periodNanos); // before the CAS that publishes the deadline
            }
        } while (!t.arm(before, when, !owner, countLater));
        if (reserved && !armingCounts(before, countLater)) {
            unreserve(owner); // raced with a run or stop that we no longer undo
        } else if (HeapTimer.countedStopped(before)) {
            countRevived(owner);
        }
        if (owner) {
            placeOwnerRearm(t, when, before);
        } else {
            handOver(t, when, before);
        }
        return HeapTimer.state(before) == HeapTimer.PENDING;
    }

    /**
     * Whether arming a timer whose word is {@code before} adds one to the armed count now: it was
     * not counted as armed, and the drain will not count it ({@code countLater} covers timers that
     * are outside the counts, or wait in the inbox uncounted; a counted stopped entry is counted
     * again at once).
     */
    private static boolean armingCounts(long before, boolean countLater) {
        if (HeapTimer.countedArmed(before)) {
            return false;
        }
        return !countLater || HeapTimer.countedStopped(before);
    }

    /** A stopped timer was armed again before the owner dropped its entry. */
    private void countRevived(boolean owner) {
        if (owner) {
            counts.ownerStoppedLeft();
        } else {
            counts.stoppedLeft();
        }
    }

    private void reserve(boolean owner) {
        if (owner) {
            counts.ownerArm();
        } else {
            counts.arm();
        }
    }

    private void unreserve(boolean owner) {
        if (owner) {
            counts.ownerDisarm();
        } else {
            counts.disarm();
        }
    }

    /**
     * Owner: brings the entry of a timer it just re-armed in line with {@code when}, and the
     * published deadline with the keys (only an earlier key can move it).
     */
    private void placeOwnerRearm(HeapTimer t, long when, long before) {
        if (!DeadlineQueue.contains(t)) {
            // Placed now even if a reference still sits in the inbox (QUEUED): the owner's arming
            // order is its sequence now, not whenever the drain comes. The drain then finds the
            // entry and only reconciles it with the word.
            entries.add(t, when);
            publishEarlier(when);
            return;
        }
        // The entry's key is never later than the old deadline unless an earlier foreign re-arm
        // is still in the inbox (HeapTimer's invariant), so without QUEUED a deadline past the old
        // one is lazy without reading the key: no cache miss on the heap arrays, and no key moves
        // (the idle timeout's re-arm on every read). With QUEUED the key may be later than both
        // deadlines; the drain would then move it with a sequence of the drain's time, not this
        // arming's.
        long key = when > HeapTimer.when(before) && !HeapTimer.queued(before) ? -1 : entries.keyOf(t);
        if (when > key) {
            entries.touch(t, when); // lazy: moved down when it surfaces; armed now for FIFO ties
        } else if (when < key) {
            entries.decreaseKey(t, when);
            publishEarlier(when);
        } else {
            entries.remove(t); // same key, later arming: re-add to order after its peers
            entries.add(t, when);
        }
    }

    /** Owner: a deadline armed during a pass is not due in that pass, even if already past. */
    private long ownerDeadline(long when) {
        return running && when < passNow ? passNow : when;
    }

    // ------------------------------------------------------------------------------------------
    // The owner's pass
    // ------------------------------------------------------------------------------------------

    /**
     * Owner: prepares to block. Drains work handed over by other threads, drops stopped entries
     * from the top, publishes the deadline the owner is about to sleep toward, and then drains
     * what was handed over before that publication, so that no such timer is missed. What other
     * threads hand over afterwards waits for the next pass: those threads read the published
     * deadline and wake the owner themselves if they must.
     *
     * @return the earliest deadline, in the clock's domain; {@link Long#MAX_VALUE} when none. A
     *     deadline at or before the current time means: do not block.
     */
    public long beforePoll() {
        checkOwner("beforePoll");
        drainInbox(DRAIN_LIMIT);
        cleanTop();
        sweepIfWorthIt();
        long next = withSlack(nextKey());
        gate.publish(next);
        // Volatile load after publish()'s volatile store. A hand-over claimed after this load
        // read our deadline after its claim, and wakes us if it is earlier; only those claimed
        // before it may have read "awake" and relied on us. Draining just those, rather than
        // until the inbox looks empty, lets the owner sleep while other threads keep handing
        // over later timers; chasing them kept a loop spinning at a full core.
        long unseen = inbox.claimed() - inbox.taken();
        if (unseen > 0) {
            if (unseen > DRAIN_LIMIT || !drainClaimed((int) unseen)) {
                // More than a pass drains, or a producer claimed a slot and has not written it
                // yet: poll without blocking and pick the rest up on the next pass.
                gate.awake();
                publishTop();
                return time.origin();
            }
            // Draining only adds entries or moves keys earlier, so the deadline can only come
            // forward. Hand-overs claimed since the first publication compared themselves with
            // that later deadline: each is due after it, and so after this one, or woke us.
            long earlier = withSlack(nextKey());
            if (earlier < next) {
                next = earlier;
                gate.publish(next);
            }
        }
        publishTop();
        return time.toClockNanos(next);
    }

    /**
     * The wake-up for an earliest key: up to {@link #slack} later, so that timers due within it
     * run in one pass. Only the sleep moves; a timer still runs only once its own deadline is past.
     */
    private long withSlack(long earliest) {
        return earliest >= HeapTimer.NEVER - slack ? HeapTimer.NEVER : earliest + slack;
    }

    /**
     * Owner: whether no timer is pending, after taking in what other threads handed over. An event
     * loop asks before it suspends. A hand-over claimed but not yet written counts as pending: its
     * producer is still inside its schedule call.
     *
     * <p>The producer claims its slot (a CAS on the inbox's producer index) before it reads
     * whatever tells it the owner is asleep; the owner records that it is going to sleep before it
     * calls this, whose read of that index is volatile. One of the two sees the other.
     *
     * <pre>{@code
     * asleep = true;               // volatile: what a producer's waker reads
     * if (heap.isIdle()) {
     *     park();                  // nothing to wait for; a new timer's waker unparks us
     * }
     * }</pre>
     */
    public boolean isIdle() {
        checkOwner("isIdle");
        drainInbox(DRAIN_LIMIT);
        return counts.armed() == 0 && inbox.claimed() == inbox.taken();
    }

    /** Owner: it woke from its poll; foreign threads need not wake it until the next beforePoll. */
    public void afterPoll() {
        checkOwner("afterPoll");
        gate.awake();
    }

    /**
     * Owner: applies work handed over by other threads, then runs every timer due at
     * {@code nowNanos}, earliest first and, at equal deadlines, first armed first. Timers armed
     * while it runs, even with zero delay, wait for the next call.
     *
     * @param nowNanos the current time in the clock's domain; it only decides what is due
     * @return how many callbacks ran
     */
    public int runDue(long nowNanos) {
        return runDue(nowNanos, Integer.MAX_VALUE);
    }

    /**
     * Owner: as {@link #runDue(long)}, but runs at most {@code limit} callbacks, so that a burst of
     * expirations can be interleaved with I/O. What is left stays due for the next call.
     *
     * @throws IllegalArgumentException if {@code limit <= 0}: such a pass could never make progress
     */
    public int runDue(long nowNanos, int limit) {
        checkOwner("runDue");
        if (limit <= 0) {
            throw new IllegalArgumentException("limit must be > 0, was " + limit);
        }
        if (running) {
            throw new IllegalStateException("runDue() called from a timer callback");
        }
        long now = time.toInternal(nowNanos);
        passNow = now;
        running = true;
        int ran = 0;
        try {
            drainInbox(DRAIN_LIMIT);
            entries.advanceTo(now);
            int armedBefore = entries.peekSeq();
            while (ran < limit) {
                long key = entries.topKey();
                if (key > now) {
                    break; // or empty: EMPTY is later than any time
                }
                HeapTimer t = entries.top();
                long w = t.word();
                long when = HeapTimer.when(w);
                if (HeapTimer.state(w) == HeapTimer.STOPPED) {
                    dropStoppedTop(t, w);
                } else if (when > key) {
                    entries.moveTopDown(when, false);
                } else if (key == now && entries.topSeq() - armedBefore >= 0) {
                    break; // armed during this pass, and so is everything ordered after it
                } else if (fire(t, w, when, now)) {
                    ran++;
                }
            }
            sweepIfWorthIt();
            entries.trimCapacity();
        } finally {
            running = false;
            publishTop();
        }
        return ran;
    }

    /** Runs the due timer at the top if its word is still {@code w}; false if it changed. */
    private boolean fire(HeapTimer t, long w, long when, long now) {
        long period = t.period(); // read after the word: sees the period its reset published
        if (period == 0) {
            if (!t.retire(w)) {
                return false;
            }
            entries.removeTop();
            counts.ownerDisarm();
        } else {
            long next = HeapClock.nextTick(when, period, now);
            if (!t.advance(w, next)) {
                return false;
            }
            entries.moveTopDown(next, true);
        }
        // Opaque stores for the stats fields: no fence on the hot path, still whole values.
        FIRED.setOpaque(this, (long) FIRED.getOpaque(this) + 1);
        lateness.record(now - when);
        try {
            t.runTask();
        } catch (Throwable failure) {
            FAILURES.setOpaque(this, (long) FAILURES.getOpaque(this) + 1);
            reportFailure(t, failure);
        }
        return true;
    }

    private void dropStoppedTop(HeapTimer t, long w) {
        if (t.retire(w)) {
            entries.removeTop();
            counts.ownerStoppedLeft();
        }
    }

    /** Drops stopped entries from the top and moves lazily re-armed ones down to their deadline. */
    private void cleanTop() {
        for (long key = entries.topKey(); key != DeadlineQueue.EMPTY; key = entries.topKey()) {
            HeapTimer t = entries.top();
            long w = t.word();
            long when = HeapTimer.when(w);
            if (HeapTimer.state(w) == HeapTimer.STOPPED) {
                dropStoppedTop(t, w);
            } else if (when > key) {
                entries.moveTopDown(when, false);
            } else {
                return;
            }
        }
    }

    /**
     * Owner: drains {@code claimed} hand-overs, waiting up to {@link #UNWRITTEN_SLOT_WAIT_NANOS}
     * for a producer that claimed its slot and has not written it yet. Compiled, such an offer
     * ends within nanoseconds; interpreted (a cold JVM), it takes microseconds. Only a producer
     * descheduled right there makes the wait run out, and then the owner polls without blocking.
     *
     * @return false if a slot is still unwritten
     */
    private boolean drainClaimed(int claimed) {
        int left = claimed - drainInbox(claimed);
        if (left == 0) {
            return true;
        }
        // The system clock, not the heap's: this bounds a spin, it is no deadline (and a test's
        // manual clock would never let it end).
        long start = System.nanoTime();
        do {
            Thread.onSpinWait();
            left -= drainInbox(left);
        } while (left > 0 && System.nanoTime() - start < UNWRITTEN_SLOT_WAIT_NANOS);
        return left == 0;
    }

    /** Owner: applies up to {@code limit} handed-over timers. @return how many */
    private int drainInbox(int limit) {
        entries.beginBatch();
        int drained = inbox.drain(applyFromInbox, limit);
        entries.endBatch();
        return drained;
    }

    /**
     * Owner, in a drain: reconciles a handed-over timer's entry with its word. Clears QUEUED
     * first, so that a foreign re-arm after this point hands the timer over again; a timer
     * stopped before it had an entry is dropped in that same CAS.
     */
    private void applyFromInbox(HeapTimer t) {
        boolean hasEntry = DeadlineQueue.contains(t);
        for (; ; ) {
            long w = t.word();
            if (!hasEntry && HeapTimer.state(w) == HeapTimer.STOPPED) {
                if (t.retireDrained(w)) {
                    if (!HeapTimer.uncounted(w)) {
                        counts.ownerStoppedLeft();
                    }
                    return;
                }
            } else if (t.clearQueued(w)) {
                long when = HeapTimer.when(w);
                if (hasEntry) {
                    // PENDING or STOPPED, and counted (UNCOUNTED comes only without an entry).
                    // The key moves up to the word's deadline even for a stopped entry: a later
                    // reset revives the entry lazily, relying on key <= when.
                    if (when < entries.keyOf(t)) {
                        entries.decreaseKey(t, when);
                    }
                } else if (HeapTimer.state(w) == HeapTimer.PENDING) {
                    if (HeapTimer.uncounted(w)) {
                        counts.ownerArm(); // the foreign arming's count, owed until now
                    }
                    entries.add(t, when); // ordered with the batch, at its end
                }
                return; // IDLE: nothing to place
            }
        }
    }

    /** Go's clearDeletedTimers: sweep once stopped entries pass a quarter of the heap. */
    private void sweepIfWorthIt() {
        int size = entries.size();
        if (size > 0 && counts.stopped() > (size >>> 2)) {
            entries.sweep(sweeper); // and trims: capacity <= 2x live after a sweep
        }
    }

    private long sweepEntry(HeapTimer t) {
        for (; ; ) {
            long w = t.word();
            if (HeapTimer.state(w) != HeapTimer.STOPPED) {
                return HeapTimer.when(w); // PENDING: re-keyed to its true deadline, lazy or not
            }
            if (t.retire(w)) {
                counts.ownerStoppedLeft();
                return -1;
            }
        }
    }

    /** The earliest key of the heap, or {@link HeapTimer#NEVER} when it is empty. */
    private long nextKey() {
        long key = entries.topKey();
        return key == DeadlineQueue.EMPTY ? HeapTimer.NEVER : key;
    }

    /**
     * Owner, after an arming at {@code when}: the earliest deadline can only have moved to it.
     * Cheaper than {@link #publishTop} on the scheduling path, and just as true: the published
     * value stays no later than the earliest entry (stops leave it early until the next pass).
     */
    private void publishEarlier(long when) {
        // Opaque, as in publishTop.
        if (when < (long) NEXT_DEADLINE.getOpaque(this)) {
            NEXT_DEADLINE.setOpaque(this, when);
        }
    }

    private void publishTop() {
        long bound = entries.earliestBound(); // may be early, never late: what the query promises
        long next = bound == DeadlineQueue.EMPTY ? HeapTimer.NEVER : bound;
        // Opaque: a hint for other threads, never a synchronization point; skip unchanged values
        // so the cache line stays shared.
        if ((long) NEXT_DEADLINE.getOpaque(this) != next) {
            NEXT_DEADLINE.setOpaque(this, next);
        }
    }

    // ------------------------------------------------------------------------------------------
    // Queries: any thread
    // ------------------------------------------------------------------------------------------

    @Override
    public long nextDeadlineNanos() {
        if (ownerCheck.getAsBoolean() && !inbox.isClosed()) {
            cleanTop();
            publishTop();
        }
        return time.toClockNanos((long) NEXT_DEADLINE.getOpaque(this));
    }

    @Override
    public TimerStats stats() {
        return new TimerStats(
                Math.max(0, counts.armed() + inbox.armedUncounted()),
                Math.max(0, counts.stopped()),
                // Racy plain reads of owner fields: a statistic may be stale, and ints never tear.
                entries.size(),
                entries.capacity(),
                fired,
                failures,
                gate.wakeupsRequested(),
                inbox.handOversElided(),
                inbox.depth(),
                leaks == null ? 0 : leaks.leaked(),
                lateness.snapshot());
    }

    @Override
    public List<TimerSite> topSites(int n) {
        if (n <= 0) {
            throw new IllegalArgumentException("n must be > 0, was " + n);
        }
        return leaks == null ? List.of() : leaks.topSites(n);
    }

    /** For a full heap's rejection: where most pending timers came from, when sites are recorded. */
    private String topSiteForRejection() {
        LeakTracker leaks = this.leaks;
        if (leaks == null) {
            return "";
        }
        return leaks.topSite()
                .map(s -> "; most pending timers were created at " + s.site() + " (" + s.pending() + " recorded)")
                .orElse("");
    }

    @Override
    public boolean isClosed() {
        return inbox.isClosed();
    }

    // ------------------------------------------------------------------------------------------
    // Close: owner
    // ------------------------------------------------------------------------------------------

    /**
     * Owner: stops every timer, and makes later schedules and re-arms throw
     * {@link RejectedExecutionException}. No callback runs after it returns. Idempotent.
     */
    @Override
    public void close() {
        close(null);
    }

    /**
     * Owner: as {@link #close()}, then hands the task of every timer that was still pending to
     * {@code disarmedTasks}, once each, so that the caller can tell its owners that they will never
     * run (an event loop completes the futures of its scheduled tasks as cancelled). The tasks are
     * handed over after the heap is closed, so a task's owner that schedules again is rejected.
     * Nothing is handed over if the heap was already closed.
     *
     * <pre>{@code
     * heap.close(task -> {
     *     if (task instanceof Future<?> f) {
     *         f.cancel(false);
     *     }
     * });
     * }</pre>
     *
     * <p>An {@link AbstractTimer} that was pending is not handed over: its own
     * {@link AbstractTimer#disarmedByClose()} is called instead, at the same point.
     *
     * @param disarmedTasks told about each disarmed task; may be null
     */
    public void close(Consumer<? super Runnable> disarmedTasks) {
        checkOwner("close");
        if (inbox.isClosed()) {
            return;
        }
        List<HeapTimer> disarmed = new ArrayList<>();
        long[] countedArmed = {0};
        Consumer<HeapTimer> disarm = t -> {
            long before = t.close();
            if (HeapTimer.state(before) == HeapTimer.PENDING) {
                disarmed.add(t); // a timer in both inbox and heap turns CLOSED once: added once
                if (!HeapTimer.uncounted(before)) {
                    countedArmed[0]++;
                }
            } else if (HeapTimer.countedStopped(before)) {
                counts.ownerStoppedLeft();
            }
        };
        inbox.close(disarm); // closed first, then drained: pairs with the foreign re-checks
        for (HeapTimer entry : entries.clear()) {
            disarm.accept(entry);
        }
        counts.ownerClear(countedArmed[0]);
        publishTop();
        for (HeapTimer t : disarmed) {
            t.disarmedByClose(disarmedTasks);
        }
    }

    // ------------------------------------------------------------------------------------------
    // Helpers
    // ------------------------------------------------------------------------------------------

    long toClockNanos(long internal) {
        return time.toClockNanos(internal);
    }

    private void checkOwner(String method) {
        if (!ownerCheck.getAsBoolean()) {
            throw new IllegalStateException(method + "() must be called on the heap's owner thread," + " not "
                    + Thread.currentThread().getName());
        }
    }

    private void reportFailure(HeapTimer t, Throwable failure) {
        try {
            failureHandler.onFailure(t, failure);
        } catch (Throwable handlerFailure) {
            failure.addSuppressed(handlerFailure);
            logFailure(t, failure);
        }
    }

    private static void logFailure(TimerHandle timer, Throwable failure) {
        System.getLogger(TimerHeap.class.getName())
                .log(System.Logger.Level.WARNING, "timer callback failed: " + timer, failure);
    }

    private static RejectedExecutionException closedRejection() {
        return new RejectedExecutionException("TimerHeap is closed; timer rejected");
    }

    private static BooleanSupplier currentThreadCheck() {
        Thread owner = Thread.currentThread();
        return () -> Thread.currentThread() == owner;
    }

    @Override
    public String toString() {
        return "TimerHeap[" + stats() + "]";
    }

    // ------------------------------------------------------------------------------------------

    /**
     * Configures a {@link TimerHeap}.
     *
     * <pre>{@code
     * TimerHeap heap = TimerHeap.builder()
     *     .waker(ioHandler::wakeup)
     *     .ownerCheck(loop::inEventLoop)
     *     .maxTimers(1_000_000)
     *     .build();
     * }</pre>
     *
     * <p>Not thread-safe; build on one thread.
     */
    public static final class Builder {
        private Clock clock = Clock.system();
        private Waker waker = Waker.NONE;
        private BooleanSupplier ownerCheck;
        private int maxTimers = Integer.MAX_VALUE;
        private TimerFailureHandler failureHandler;
        private LeakDetection leakDetection = LeakDetection.fromSystemProperty();
        private boolean stopLeaked = Boolean.getBoolean(LeakDetection.STOP_PROPERTY);
        private long slack;
        private int wheelShift = FarWheel.DEFAULT_SHIFT;

        private Builder() {}

        /** The clock; default {@link Clock#system()}. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** How a foreign thread wakes the owner; default {@link Waker#NONE}. */
        public Builder waker(Waker waker) {
            this.waker = Objects.requireNonNull(waker, "waker");
            return this;
        }

        /**
         * True when the calling thread is the owner; default: the thread that calls
         * {@link #build()}. Called on every operation, so it must be cheap.
         */
        public Builder ownerCheck(BooleanSupplier ownerCheck) {
            this.ownerCheck = Objects.requireNonNull(ownerCheck, "ownerCheck");
            return this;
        }

        /** The most timers pending at once; default unbounded. */
        public Builder maxTimers(int maxTimers) {
            if (maxTimers <= 0) {
                throw new IllegalArgumentException("maxTimers must be > 0, was " + maxTimers);
            }
            this.maxTimers = maxTimers;
            return this;
        }

        /**
         * Whether to record creation sites and report unreachable pending timers; default from
         * {@value LeakDetection#PROPERTY}, else {@link LeakDetection#DISABLED}. See
         * {@link LeakDetection}; a leaked timer is also stopped when
         * {@value LeakDetection#STOP_PROPERTY} was {@code true} when this builder was made.
         */
        public Builder leakDetection(LeakDetection leakDetection) {
            this.leakDetection = Objects.requireNonNull(leakDetection, "leakDetection");
            return this;
        }

        /**
         * Lets the owner sleep up to {@code slack} past the earliest deadline, so that timers due
         * within it run together in one wake-up (Linux's {@code timer_slack}); default 0. A timer
         * then runs up to {@code slack} late, and never early.
         *
         * <pre>{@code
         * TimerHeap heap = TimerHeap.builder().slack(10, TimeUnit.MILLISECONDS).build();
         * }</pre>
         *
         * @throws IllegalArgumentException if {@code slack < 0}
         */
        public Builder slack(long slack, TimeUnit unit) {
            Objects.requireNonNull(unit, "unit");
            if (slack < 0) {
                throw new IllegalArgumentException("slack must be >= 0, was " + slack + " " + unit);
            }
            this.slack = Math.min(unit.toNanos(slack), HeapTimer.NEVER);
            return this;
        }

        /** Told about callbacks that throw; default: a warning through {@link System.Logger}. */
        public Builder failureHandler(TimerFailureHandler failureHandler) {
            this.failureHandler = Objects.requireNonNull(failureHandler, "failureHandler");
            return this;
        }

        Clock clock() {
            return clock;
        }

        /**
         * log2 of the far wheel's bucket width in nanoseconds; default 25 (about 34 ms). Tests
         * narrow it so that their microsecond deadlines pass through the wheel.
         */
        Builder wheelShift(int shift) {
            this.wheelShift = shift;
            return this;
        }

        /** Builds the heap. Its origin is the clock's reading now. */
        public TimerHeap build() {
            return new TimerHeap(this);
        }
    }
}
