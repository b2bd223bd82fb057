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
import org.jctools.queues.MpscUnboundedXaddArrayQueue;

/**
 * A timer heap with one owner thread, serviced between the owner's polls: the design of Go's
 * runtime timers, where each P owns a heap that its scheduler and netpoller service.
 *
 * <pre>{@code
 * TimerHeap heap = TimerHeap.builder().waker(selector::wakeup).build();   // on the owner thread
 * TimerHandle idle = heap.schedule(conn::close, 30, TimeUnit.SECONDS);     // any thread
 *
 * while (running) {                                      // the owner's loop
 *     long deadline = heap.beforePoll();                 // drain, publish, re-check
 *     selector.select(millisUntil(deadline));            // sleeps; a foreign earlier timer wakes it
 *     heap.afterPoll();
 *     heap.runDue(System.nanoTime());                    // run what is due
 * }
 * }</pre>
 *
 * <h2>Design</h2>
 *
 * <ul>
 *   <li><b>One owner, no locks.</b> Only the owner touches the heap ({@link QuaternaryHeap}).
 *       Other threads either flip a timer's state with one CAS (stop, later re-arm) or hand the
 *       owner the timer through a JCTools MPSC inbox (schedule, earlier re-arm), which the owner
 *       drains in batches. The states and transitions are documented once, in {@link HeapTimer}.
 *   <li><b>Lazy stop and lazy later re-arm</b>, as Go's {@code cleantimers}: a stopped entry
 *       leaves the heap when it reaches the top or when stopped entries pass a quarter of the heap
 *       and it is swept; a later re-arm only records the new deadline and the entry is moved down
 *       when it surfaces. The owner itself removes an entry it stops at once, which is cheaper
 *       than sweeping it later.
 *   <li><b>Deadline-aware wake-ups</b>, as Go's {@code wakeNetPoller}: see {@link WakeGate}.
 *   <li><b>Loop time</b>, as libuv's: the owner reads the clock at most once per pass. Timer
 *       operations on the owner thread measure their delay from the pass's reading: the
 *       {@code nowNanos} given to {@link #runDue}, or, after {@link #beforePoll} and
 *       {@link #afterPoll}, one fresh reading taken by the first operation that needs it. A delay
 *       armed on the owner is therefore measured from a moment at most one pass old. Call
 *       {@link #updateTime()} to take a fresh reading inside a long pass. Foreign threads always
 *       read the clock.
 *   <li><b>Time</b> is kept internally as nanoseconds since the heap's origin (the clock reading
 *       at {@link Builder#build()}), which stays positive and never wraps. Deadlines more than
 *       about 36 years out, and delays that overflow, clamp to "never".
 * </ul>
 *
 * <h2>Threads</h2>
 *
 * <p>{@link #schedule}, {@link #scheduleTicker}, {@link #nextDeadlineNanos}, {@link #stats} and
 * every {@link TimerHandle} method: any thread. {@link #beforePoll}, {@link #afterPoll},
 * {@link #runDue}, {@link #updateTime} and {@link #close}: the owner only, an
 * {@link IllegalStateException} elsewhere. Callbacks run on the owner, inside {@link #runDue}, and
 * may use the heap freely.
 */
public final class TimerHeap implements AutoCloseable {

    /** Inbox elements per drain call; a pass drains at most this many, the rest waits a poll. */
    private static final int DRAIN_LIMIT = 64 * 1024;
    /** Inbox chunk size; chunks are pooled so that a steady state allocates nothing. */
    private static final int INBOX_CHUNK = 1024;
    private static final int INBOX_POOLED_CHUNKS = 4;
    /** Owner time not read yet in this pass. */
    private static final long NO_TIME = -1;

    private static final VarHandle DELETED;
    private static final VarHandle NEXT_DEADLINE;
    private static final VarHandle FIRED;
    private static final VarHandle FAILURES;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            DELETED = lookup.findVarHandle(TimerHeap.class, "deleted", int.class);
            NEXT_DEADLINE = lookup.findVarHandle(TimerHeap.class, "nextDeadline", long.class);
            FIRED = lookup.findVarHandle(TimerHeap.class, "fired", long.class);
            FAILURES = lookup.findVarHandle(TimerHeap.class, "failures", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Clock clock;
    private final BooleanSupplier ownerCheck;
    private final TimerFailureHandler failureHandler;
    private final long origin;
    private final int maxTimers;

    // --- owner only, plain ---
    private final QuaternaryHeap heap = new QuaternaryHeap();
    private final MessagePassingQueue.Consumer<HeapTimer> applyFromInbox = this::applyFromInbox;
    private final QuaternaryHeap.Sweeper sweeper = this::sweepEntry;
    private long passTime = NO_TIME;
    private boolean running;
    /** First heap slot appended by the drain in progress; slots from here on are unordered. */
    private int drainFrom;

    // --- shared ---
    private final MpscUnboundedXaddArrayQueue<HeapTimer> inbox =
            new MpscUnboundedXaddArrayQueue<>(INBOX_CHUNK, INBOX_POOLED_CHUNKS);
    private final WakeGate gate;
    private final ArmedCount armed;
    /** Stopped entries still in the heap or inbox. Atomic: foreign stops add to it. */
    private volatile int deleted;
    /** Earliest key in the heap, for {@link #nextDeadlineNanos}. Owner writes, opaque. */
    private volatile long nextDeadline = HeapTimer.NEVER;
    /** Written by the owner with opaque stores; read anywhere for {@link #stats}. */
    private volatile long fired;
    private volatile long failures;
    /** Volatile: a foreign schedule re-checks it after its offer (see {@link #handOver}). */
    private volatile boolean closed;

    private TimerHeap(Builder b) {
        this.clock = b.clock;
        this.ownerCheck = b.ownerCheck != null ? b.ownerCheck : currentThreadCheck();
        this.failureHandler = b.failureHandler != null ? b.failureHandler : TimerHeap::logFailure;
        this.maxTimers = b.maxTimers;
        this.gate = new WakeGate(b.waker);
        this.armed = new ArmedCount(b.maxTimers);
        this.origin = clock.nanoTime();
    }

    /** A builder with the system clock, no waker, the calling thread as owner and no limit. */
    public static Builder builder() {
        return new Builder();
    }

    // ------------------------------------------------------------------------------------------
    // Scheduling: any thread
    // ------------------------------------------------------------------------------------------

    /**
     * Runs {@code task} once, {@code delay} from now (Go's {@code AfterFunc}). A delay of zero or
     * less runs it on the next {@link #runDue}; one too large to represent never runs it.
     *
     * @throws NullPointerException if {@code task} or {@code unit} is null
     * @throws RejectedExecutionException if the heap is closed or holds {@code maxTimers} pending
     *     timers; nothing already scheduled is affected
     */
    public TimerHandle schedule(Runnable task, long delay, TimeUnit unit) {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(unit, "unit");
        return arm(task, unit.toNanos(delay), 0);
    }

    /**
     * Runs {@code task} every {@code period}, first one period from now (Go's {@code Ticker}). A
     * ticker that falls behind skips the runs it missed rather than running them in a burst.
     *
     * @throws NullPointerException if {@code task} or {@code unit} is null
     * @throws IllegalArgumentException if {@code period <= 0}
     * @throws RejectedExecutionException if the heap is closed or full
     */
    public TimerHandle scheduleTicker(Runnable task, long period, TimeUnit unit) {
        Objects.requireNonNull(task, "task");
        long periodNanos = checkPeriod(period, unit);
        return arm(task, periodNanos, periodNanos);
    }

    static long checkPeriod(long period, TimeUnit unit) {
        Objects.requireNonNull(unit, "unit");
        if (period <= 0) {
            throw new IllegalArgumentException("period must be > 0, was " + period + " " + unit);
        }
        return unit.toNanos(period);
    }

    private HeapTimer arm(Runnable task, long delayNanos, long periodNanos) {
        if (closed) {
            throw closedRejection();
        }
        if (ownerCheck.getAsBoolean()) {
            armed.ownerArm();
            long when = deadline(ownerTime(), delayNanos);
            HeapTimer t = newTimer(task, HeapTimer.pack(when, HeapTimer.PENDING), periodNanos);
            heap.add(t, when);
            publishTop();
            return t;
        }
        armed.foreignArm();
        long when = deadline(clockTime(), delayNanos);
        HeapTimer t = newTimer(task,
                HeapTimer.pack(when, HeapTimer.PENDING | HeapTimer.QUEUED), periodNanos);
        handOver(t, when);
        return t;
    }

    private HeapTimer newTimer(Runnable task, long word, long periodNanos) {
        return periodNanos == 0
                ? new HeapTimer(this, task, word)
                : new PeriodicTimer(this, task, word, periodNanos);
    }

    /**
     * Foreign thread: gives the owner a timer to place (new, re-armed from idle, or moved
     * earlier), then wakes it if needed. If the heap closed meanwhile, the timer is disarmed and
     * the caller gets the rejection.
     */
    private void handOver(HeapTimer t, long when) {
        inbox.offer(t); // XADD on the producer index: a full fence before the loads below
        if (closed) {
            // close() may have drained the inbox before this offer: then nobody else will
            // disarm the timer or give back the count its arming took. Whoever moves it out of
            // PENDING (close's drain or this CAS) does both, exactly once.
            if (disarmAfterClose(t)) {
                armed.foreignDisarm();
            }
            throw closedRejection();
        }
        // The word's deadline, not just ours: while QUEUED was set and this offer not yet made,
        // another thread may have re-armed the timer earlier and, relying on this reference to
        // reach the owner, skipped its own wake-up. Volatile read after the offer's full fence:
        // either we see that earlier deadline, or that thread's wake check saw the owner's.
        gate.wakeIfEarlier(Math.min(when, HeapTimer.when(t.word())));
    }

    /** @return true if this call disarmed a pending timer */
    private static boolean disarmAfterClose(HeapTimer t) {
        for (;;) {
            long w = t.word();
            int state = HeapTimer.state(w);
            if (state == HeapTimer.IDLE) {
                return false;
            }
            if (t.cas(w, HeapTimer.pack(HeapTimer.when(w), HeapTimer.IDLE))) {
                return state == HeapTimer.PENDING;
            }
        }
    }

    // ------------------------------------------------------------------------------------------
    // TimerHandle operations: any thread
    // ------------------------------------------------------------------------------------------

    boolean stop(HeapTimer t) {
        boolean owner = ownerCheck.getAsBoolean();
        for (;;) {
            long w = t.word();
            if (HeapTimer.state(w) != HeapTimer.PENDING) {
                return false;
            }
            long when = HeapTimer.when(w);
            int queuedBit = (int) w & HeapTimer.QUEUED;
            if (owner && t.index >= 0) {
                // The owner removes its own entry at once: cheaper than sweeping it later.
                if (t.cas(w, HeapTimer.pack(when, HeapTimer.IDLE | queuedBit))) {
                    heap.removeAt(t.index);
                    armed.ownerDisarm();
                    publishTop();
                    return true;
                }
            } else if (t.cas(w, HeapTimer.pack(when, HeapTimer.STOPPED | queuedBit))) {
                DELETED.getAndAdd(this, 1);
                if (owner) {
                    armed.ownerDisarm();
                } else {
                    armed.foreignDisarm();
                }
                return true;
            }
        }
    }

    /** @param periodNanos the ticker's new period, or 0 for a one-shot timer */
    boolean reset(HeapTimer t, long delay, TimeUnit unit, long periodNanos) {
        Objects.requireNonNull(unit, "unit");
        if (closed) {
            throw closedRejection();
        }
        boolean owner = ownerCheck.getAsBoolean();
        long delayNanos = periodNanos != 0 ? periodNanos : unit.toNanos(delay);
        long when = deadline(owner ? ownerTime() : clockTime(), delayNanos);
        if (periodNanos != 0) {
            ((PeriodicTimer) t).period(periodNanos); // before the CAS that publishes the deadline
        }
        return owner ? ownerReset(t, when) : foreignReset(t, when);
    }

    private boolean ownerReset(HeapTimer t, long when) {
        boolean reserved = false;
        for (;;) {
            long w = t.word();
            int state = HeapTimer.state(w);
            if (state != HeapTimer.PENDING && !reserved) {
                armed.ownerArm();
                reserved = true;
            }
            int queuedBit = (int) w & HeapTimer.QUEUED;
            if (!t.cas(w, HeapTimer.pack(when, HeapTimer.PENDING | queuedBit))) {
                continue;
            }
            if (state == HeapTimer.PENDING && reserved) {
                armed.ownerDisarm(); // raced with a run or stop that we no longer undo
            } else if (state == HeapTimer.STOPPED) {
                DELETED.getAndAdd(this, -1);
            }
            int i = t.index;
            if (i >= 0) {
                // The entry's key is never later than the old deadline, so a deadline past the old
                // one is lazy without reading the key: no cache miss on the heap arrays.
                long key = when > HeapTimer.when(w) ? -1 : heap.key(i);
                if (when > key) {
                    heap.touch(i); // lazy: moved down when it surfaces; armed now for FIFO ties
                } else if (when < key) {
                    heap.decreaseKey(i, when);
                } else {
                    heap.removeAt(i); // same key, later arming: re-add to order after its peers
                    heap.add(t, when);
                }
            } else {
                // Placed now even if a reference still sits in the inbox (QUEUED): the owner's
                // arming order is its sequence now, not whenever the drain comes. The drain then
                // finds the entry and only reconciles it with the word.
                heap.add(t, when);
            }
            publishTop();
            return state == HeapTimer.PENDING;
        }
    }

    private boolean foreignReset(HeapTimer t, long when) {
        boolean reserved = false;
        for (;;) {
            long w = t.word();
            int state = HeapTimer.state(w);
            if (state != HeapTimer.PENDING && !reserved) {
                armed.foreignArm();
                reserved = true;
            }
            boolean queued = HeapTimer.queued(w);
            long oldWhen = HeapTimer.when(w);
            // An owner look is needed when there is no entry to reuse, or the entry may be later
            // than the new deadline. A later re-arm of an existing entry stays lazy.
            boolean needsOwner = state == HeapTimer.IDLE || when < oldWhen;
            boolean enqueue = needsOwner && !queued;
            long update = HeapTimer.pack(when,
                    HeapTimer.PENDING | (queued || enqueue ? HeapTimer.QUEUED : 0));
            if (!t.cas(w, update)) {
                continue;
            }
            if (state == HeapTimer.PENDING && reserved) {
                armed.foreignDisarm();
            } else if (state == HeapTimer.STOPPED) {
                DELETED.getAndAdd(this, -1);
            }
            if (enqueue) {
                handOver(t, when);
            } else if (needsOwner) {
                gate.wakeIfEarlier(when); // a reference is queued already; it may sleep too long
            }
            return state == HeapTimer.PENDING;
        }
    }

    // ------------------------------------------------------------------------------------------
    // The owner's pass
    // ------------------------------------------------------------------------------------------

    /**
     * Owner: prepares to block. Drains work handed over by other threads, drops stopped entries
     * from the top, publishes the deadline the owner is about to sleep toward, and re-checks the
     * inbox so that a timer handed over in between is not missed.
     *
     * @return the earliest deadline, in the clock's domain; {@link Long#MAX_VALUE} when none. A
     *     deadline at or before the current time means: do not block.
     */
    public long beforePoll() {
        checkOwner("beforePoll");
        passTime = NO_TIME;
        for (int attempt = 0; ; attempt++) {
            drainInbox();
            cleanTop();
            sweepIfWorthIt();
            long next = heap.size() == 0 ? HeapTimer.NEVER : heap.key(0);
            gate.publish(next);
            if (inbox.isEmpty()) { // volatile load after the volatile store in publish()
                publishTop();
                return toClockNanos(next);
            }
            gate.awake();
            if (attempt == 2) {
                // A producer claimed an inbox slot but has not written it yet: poll without
                // blocking and pick it up on the next pass.
                publishTop();
                return origin;
            }
        }
    }

    /** Owner: it woke from its poll; later owner operations take a fresh clock reading. */
    public void afterPoll() {
        checkOwner("afterPoll");
        gate.awake();
        passTime = NO_TIME;
    }

    /**
     * Owner: takes a fresh clock reading for timer operations on the owner thread, for a pass that
     * has run long enough that its reading is stale.
     */
    public void updateTime() {
        checkOwner("updateTime");
        passTime = clockTime();
    }

    /**
     * Owner: applies work handed over by other threads, then runs every timer due at
     * {@code nowNanos}, earliest first and, at equal deadlines, first armed first. Timers armed
     * while it runs, even with zero delay, wait for the next call.
     *
     * @param nowNanos the current time in the clock's domain; it becomes the pass's time
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
        long now = toInternal(nowNanos);
        passTime = now;
        running = true;
        int ran = 0;
        try {
            drainInbox();
            int armedBefore = heap.peekSeq();
            while (ran < limit && heap.size() > 0) {
                long key = heap.key(0);
                if (key > now) {
                    break;
                }
                HeapTimer t = heap.timer(0);
                long w = t.word();
                long when = HeapTimer.when(w);
                if (HeapTimer.state(w) == HeapTimer.STOPPED) {
                    dropStoppedTop(t, w);
                } else if (when > key) {
                    heap.moveTopDown(when, false);
                } else if (key == now && heap.seq(0) - armedBefore >= 0) {
                    break; // armed during this pass, and so is everything ordered after it
                } else if (fire(t, w, when, now)) {
                    ran++;
                }
            }
            sweepIfWorthIt();
            heap.trimCapacity();
        } finally {
            running = false;
            publishTop();
        }
        return ran;
    }

    /** Runs the due timer at the top if its word is still {@code w}; false if it changed. */
    private boolean fire(HeapTimer t, long w, long when, long now) {
        int queuedBit = (int) w & HeapTimer.QUEUED;
        long period = t.period(); // read after the word: sees the period its reset published
        if (period == 0) {
            if (!t.cas(w, HeapTimer.pack(when, HeapTimer.IDLE | queuedBit))) {
                return false;
            }
            heap.removeAt(0);
            armed.ownerDisarm();
        } else {
            long next = nextTick(when, period, now);
            if (!t.cas(w, HeapTimer.pack(next, HeapTimer.PENDING | queuedBit))) {
                return false;
            }
            heap.moveTopDown(next, true);
        }
        // Opaque stores for the stats fields: no fence on the hot path, still whole values.
        FIRED.setOpaque(this, (long) FIRED.getOpaque(this) + 1);
        try {
            t.task.run();
        } catch (Throwable failure) {
            FAILURES.setOpaque(this, (long) FAILURES.getOpaque(this) + 1);
            reportFailure(t, failure);
        }
        return true;
    }

    /** Go's ticker rule: the first period boundary after {@code now}; missed ticks are skipped. */
    private static long nextTick(long when, long period, long now) {
        long behind = now - when; // >= 0: the tick is due
        long steps = 1 + behind / period;
        if (steps > (HeapTimer.NEVER - when) / period) {
            return HeapTimer.NEVER;
        }
        return when + steps * period;
    }

    private void dropStoppedTop(HeapTimer t, long w) {
        if (t.cas(w, HeapTimer.pack(HeapTimer.when(w), HeapTimer.IDLE | ((int) w & HeapTimer.QUEUED)))) {
            heap.removeAt(0);
            DELETED.getAndAdd(this, -1);
        }
    }

    /** Drops stopped entries from the top and moves lazily re-armed ones down to their deadline. */
    private void cleanTop() {
        while (heap.size() > 0) {
            HeapTimer t = heap.timer(0);
            long w = t.word();
            long when = HeapTimer.when(w);
            if (HeapTimer.state(w) == HeapTimer.STOPPED) {
                dropStoppedTop(t, w);
            } else if (when > heap.key(0)) {
                heap.moveTopDown(when, false);
            } else {
                return;
            }
        }
    }

    private void drainInbox() {
        drainFrom = heap.size();
        inbox.drain(applyFromInbox, DRAIN_LIMIT);
        heap.restoreFrom(drainFrom);
    }

    /**
     * Owner, in a drain: reconciles a handed-over timer's entry with its word. Clears QUEUED first
     * so that a foreign re-arm after this point hands the timer over again.
     */
    private void applyFromInbox(HeapTimer t) {
        long w;
        do {
            w = t.word();
        } while (!t.cas(w, w & ~HeapTimer.QUEUED));
        w &= ~HeapTimer.QUEUED;
        for (;;) {
            int state = HeapTimer.state(w);
            long when = HeapTimer.when(w);
            int i = t.index;
            if (i >= 0) {
                if (state == HeapTimer.PENDING && when < heap.key(i)) {
                    if (i >= drainFrom) {
                        heap.rekeyUnordered(i, when); // appended in this batch, not sifted yet
                    } else {
                        heap.decreaseKey(i, when);
                    }
                }
                return; // STOPPED or later deadlines stay lazy
            }
            if (state == HeapTimer.PENDING) {
                heap.append(t, when);
                return;
            }
            if (state == HeapTimer.IDLE) {
                return;
            }
            // STOPPED before it ever reached the heap: drop it, unless a reset revives it now.
            if (t.cas(w, HeapTimer.pack(when, HeapTimer.IDLE | ((int) w & HeapTimer.QUEUED)))) {
                DELETED.getAndAdd(this, -1);
                return;
            }
            w = t.word();
        }
    }

    /** Go's clearDeletedTimers: sweep once stopped entries pass a quarter of the heap. */
    private void sweepIfWorthIt() {
        int size = heap.size();
        if (size > 0 && deleted > (size >>> 2)) {
            heap.sweep(sweeper);
            heap.trimCapacity(2); // the design's promise: capacity <= 2x live after a sweep
        }
    }

    private long sweepEntry(HeapTimer t) {
        for (;;) {
            long w = t.word();
            if (HeapTimer.state(w) != HeapTimer.STOPPED) {
                return HeapTimer.when(w); // PENDING: re-keyed to its true deadline, lazy or not
            }
            if (t.cas(w, HeapTimer.pack(HeapTimer.when(w), HeapTimer.IDLE | ((int) w & HeapTimer.QUEUED)))) {
                DELETED.getAndAdd(this, -1);
                return -1;
            }
        }
    }

    private void publishTop() {
        long next = heap.size() == 0 ? HeapTimer.NEVER : heap.key(0);
        // Opaque: a hint for other threads, never a synchronization point; skip unchanged values
        // so the cache line stays shared.
        if ((long) NEXT_DEADLINE.getOpaque(this) != next) {
            NEXT_DEADLINE.setOpaque(this, next);
        }
    }

    // ------------------------------------------------------------------------------------------
    // Queries: any thread
    // ------------------------------------------------------------------------------------------

    /**
     * The earliest deadline in the heap, in the clock's domain; {@link Long#MAX_VALUE} when none.
     * Cheap and safe from any thread. It is the owner's last published view: a timer another
     * thread scheduled counts once the owner drains it, and an entry stopped by another thread
     * counts until the owner drops it, so the answer errs early, never late, for work it knows.
     */
    public long nextDeadlineNanos() {
        if (ownerCheck.getAsBoolean() && !closed) {
            cleanTop();
            publishTop();
        }
        return toClockNanos((long) NEXT_DEADLINE.getOpaque(this));
    }

    /** A snapshot of the counters; see {@link TimerStats}. Any thread. */
    public TimerStats stats() {
        return new TimerStats(
                Math.max(0, armed.get()),
                deleted,
                // Racy plain reads of owner fields: a statistic may be stale, and ints never tear.
                heap.size(),
                heap.capacity(),
                fired,
                failures,
                gate.wakeupsRequested(),
                gate.wakeupsElided());
    }

    /** Whether {@link #close()} has run. Any thread. */
    public boolean isClosed() {
        return closed;
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
     * @param disarmedTasks told about each disarmed task; may be null
     */
    public void close(Consumer<? super Runnable> disarmedTasks) {
        checkOwner("close");
        if (closed) {
            return;
        }
        closed = true; // volatile store before the drain: pairs with handOver's re-check
        long disarmed = 0;
        List<Runnable> tasks = disarmedTasks == null ? null : new ArrayList<>();
        HeapTimer t;
        // poll(), not relaxedPoll(): wait out producers that claimed a slot before seeing `closed`.
        while ((t = inbox.poll()) != null) {
            disarmed += disarmForClose(t, tasks);
        }
        for (HeapTimer entry : heap.clear()) {
            disarmed += disarmForClose(entry, tasks);
        }
        armed.clear(disarmed);
        DELETED.setVolatile(this, 0);
        publishTop();
        if (tasks != null) {
            for (Runnable task : tasks) {
                disarmedTasks.accept(task);
            }
        }
    }

    /**
     * @param tasks collects the task if the timer was pending; may be null
     * @return 1 if the timer was armed
     */
    private static int disarmForClose(HeapTimer t, List<Runnable> tasks) {
        for (;;) {
            long w = t.word();
            int state = HeapTimer.state(w);
            if (state == HeapTimer.IDLE) {
                return 0;
            }
            if (t.cas(w, HeapTimer.pack(HeapTimer.when(w), HeapTimer.IDLE))) {
                if (state != HeapTimer.PENDING) {
                    return 0;
                }
                if (tasks != null) {
                    tasks.add(t.task); // a timer in both inbox and heap turns IDLE once: added once
                }
                return 1;
            }
        }
    }

    // ------------------------------------------------------------------------------------------
    // Time and helpers
    // ------------------------------------------------------------------------------------------

    /** The pass's time, read from the clock at most once per pass. Owner only. */
    private long ownerTime() {
        long now = passTime;
        if (now == NO_TIME) {
            now = clockTime();
            passTime = now;
        }
        return now;
    }

    private long clockTime() {
        return toInternal(clock.nanoTime());
    }

    private long toInternal(long clockNanos) {
        long t = clockNanos - origin; // difference, never a comparison: safe across a wrap
        if (t < 0) {
            return 0; // a clock behind our origin (a ManualClock set back) counts as the origin
        }
        return Math.min(t, HeapTimer.NEVER - 1);
    }

    long toClockNanos(long internal) {
        return internal >= HeapTimer.NEVER ? Long.MAX_VALUE : origin + internal;
    }

    /** now + delay, with zero or negative delays due now and overflows clamped to never. */
    private static long deadline(long now, long delayNanos) {
        if (delayNanos <= 0) {
            return now;
        }
        if (delayNanos >= HeapTimer.NEVER - now) {
            return HeapTimer.NEVER;
        }
        return now + delayNanos;
    }

    private void checkOwner(String method) {
        if (!ownerCheck.getAsBoolean()) {
            throw new IllegalStateException(method + "() must be called on the heap's owner thread,"
                    + " not " + Thread.currentThread().getName());
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

        private Builder() {
        }

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

        /** Told about callbacks that throw; default: a warning through {@link System.Logger}. */
        public Builder failureHandler(TimerFailureHandler failureHandler) {
            this.failureHandler = Objects.requireNonNull(failureHandler, "failureHandler");
            return this;
        }

        Clock clock() {
            return clock;
        }

        /** Builds the heap. Its origin is the clock's reading now. */
        public TimerHeap build() {
            return new TimerHeap(this);
        }
    }
}
