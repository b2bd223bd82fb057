package org.looptimer.netty;

import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.SingleThreadIoEventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.concurrent.Ticker;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.looptimer.core.Deadlines;
import org.looptimer.core.TimerHeap;
import org.looptimer.core.Timers;

/**
 * A Netty I/O event loop that owns a {@link TimerHeap} and services it around every I/O poll, the
 * way Go's scheduler services each P's timers around the netpoller. Made by a
 * {@link TimerEventLoopGroup}.
 *
 * <pre>{@code
 * TimerEventLoop loop = group.next();
 * ScheduledFuture<?> f = loop.schedule(task, 5, TimeUnit.SECONDS);    // Netty API, lives in the heap
 * TimerHandle t = loop.timers().schedule(task, 5, TimeUnit.SECONDS);  // the heap's own API: cheaper
 * }</pre>
 *
 * <h2>How the heap is serviced</h2>
 *
 * <p>Each pass of the loop ({@link #runIo()}): {@link TimerHeap#beforePoll()} drains timers handed
 * over by other threads and publishes the deadline the loop will sleep toward; the I/O handler
 * polls with a timeout that is the earlier of that deadline and Netty's own scheduled work (the
 * handler sees it through {@link IoHandlerContext#canBlock()}, {@link #delayNanos(long)} and
 * {@link #deadlineNanos()}); after the poll, at most {@value #TIMER_BATCH} due timers run. If more
 * are due, the next poll does not block, so a burst of a million expirations is interleaved with
 * I/O and with tasks submitted through {@code execute}.
 *
 * <p>The heap's clock is this loop's {@link Ticker}, so its deadlines are in the same domain as
 * Netty's. The I/O handler itself is not wrapped: {@link #isIoType}, {@link #isCompatible} and
 * channel registration behave exactly as on a {@code MultiThreadIoEventLoopGroup} loop.
 *
 * <h2>Netty's scheduler goes into the heap</h2>
 *
 * <p>{@code schedule}, {@code scheduleAtFixedRate} and {@code scheduleWithFixedDelay} arm timers in
 * the heap and return a full Netty {@link ScheduledFuture}. The future is itself the heap's timer:
 * one 40-byte object per one-shot task (stock Netty's is 64 bytes), whose promise machinery is
 * built only for listeners and waiters, and which lets go of its task as soon as it is cancelled or
 * done. Unlike stock Netty 4.2, a schedule from another thread wakes the loop only when its
 * deadline is earlier than the one the loop sleeps toward (at most once per poll), and a cancel
 * from another thread never wakes it.
 *
 * <h2>Suspension and shutdown</h2>
 *
 * <p>In an auto-scaling group the loop never suspends while its heap holds pending timers, and a
 * timer armed from another thread (through {@code schedule} or the heap directly) starts a loop
 * that has not started yet and resumes a suspended one, as {@code execute} does. On
 * shutdown the heap is closed at the first shutdown check: pending timers are stopped, their
 * futures complete as cancelled, no timer runs afterwards, and a schedule from another thread is
 * rejected with a {@link RejectedExecutionException}. A schedule from the loop's own thread while it
 * shuts down (a handler closing its channel) returns an already-cancelled future instead, as
 * Netty, which cancels such tasks at its next shutdown check, never throws there.
 *
 * <h2>Threads</h2>
 *
 * <p>{@link #timers()} and the schedule methods: any thread; {@link #timers()} leads to the heap's
 * scheduling half only, never to its driver, which this loop alone runs. The overridden hooks
 * ({@link #runIo()}, {@link #delayNanos}, {@link #deadlineNanos}, {@link #canSuspend(int)},
 * {@link #cancelScheduledTasks()}, {@link #run()}): the loop thread, as Netty calls them.
 */
public class TimerEventLoop extends SingleThreadIoEventLoop {

    /**
     * Timers run per pass; the rest stay due and the next poll does not block. Small enough that a
     * burst of trivial callbacks yields to I/O within tens of microseconds, large enough that the
     * extra polls cost little against the callbacks.
     */
    static final int TIMER_BATCH = 1024;

    private static final long MILLISECOND = TimeUnit.MILLISECONDS.toNanos(1);

    // A named no-op: execute() runs it only to start or resume the loop.
    @SuppressWarnings("UnnecessaryLambda")
    private static final Runnable START = () -> {};

    /** Netty's clock for this loop; the heap reads it too, so deadlines share its domain. */
    private final Ticker loopClock;

    private final TimerHeap heap;
    private final IoHandlerContext pollContext = new PollContext();

    // --- loop thread only, plain: a loop that suspends and resumes on another thread hands
    // them over under Netty's processing lock, which orders the old thread's writes first ---
    /** The deadline published by the last beforePoll(), ticker domain; MAX_VALUE: none. */
    private long pollDeadline = Long.MAX_VALUE;
    /** Timers were due when the poll began: it must not block. */
    private boolean timersDue;
    /**
     * The I/O handler's poll has returned before its deadline with nothing to do and nobody waking
     * it: it rounds short waits down (NIO does, to whole milliseconds), so a sub-millisecond wait
     * would spin. Learned from what the poll does, not from its class, so a decorated handler is
     * recognized too; epoll and io_uring, which wait to the nanosecond, never set it.
     */
    private boolean pollEndsEarly;
    /** run() returned to suspend; see canSuspend(int). */
    private boolean suspendDecided;
    /**
     * The constructing thread while the constructor runs, then null; see ownsHeap(). Plain: other
     * threads only compare it with themselves, and whatever they read, null or the constructing
     * thread, is never their own thread.
     */
    private Thread heapSetupThread;

    /**
     * Whether the loop thread is inside {@link #run()}. Volatile, a Dekker pair with the heap's
     * inbox and pending count: a foreign thread arms its timer (its offer to the inbox, or an
     * atomic increment of the count) and then, in {@link #wakeForTimer()}, reads this; the loop
     * clears it and then, before it suspends, Netty re-checks {@link #canSuspend(int)}, which asks
     * {@link TimerHeap#isIdle()}. One of the two sees the other, so a timer armed while the loop
     * suspends either resumes it or is seen by it.
     */
    private volatile boolean ownerRunning;
    /**
     * A timer's wake-up was requested since the loop published its deadline. The handlers'
     * {@code wakeup()} is sticky only together with their {@code canBlock()} re-check: epoll's
     * {@code wakeup()} writes its eventfd only once the loop has announced its sleep, and relies on
     * the loop re-checking {@code canBlock()} after announcing it. Our timers are not Netty tasks, so
     * {@link PollContext#canBlock()} reads this flag. Volatile, a Dekker pair with the handler's own
     * flag: the waker writes this and then the handler's flag; the loop writes the handler's flag and
     * then reads this. One sees the other, so a wake-up is never lost.
     */
    private volatile boolean timerWakeRequested;

    TimerEventLoop(IoEventLoopGroup parent, Executor executor, IoHandlerFactory ioHandlerFactory) {
        super(parent, executor, ioHandlerFactory);
        this.loopClock = ticker();
        heapSetupThread = Thread.currentThread();
        this.heap = LoopProperties.apply(TimerHeap.builder())
                .clock(loopClock::nanoTime)
                .ownerCheck(this::ownsHeap)
                .waker(this::wakeForTimer)
                .build();
        // Publish "asleep with no deadline" for a loop whose thread has not started: the first
        // timer armed from another thread then calls wakeForTimer(), which starts the thread.
        heap.beforePoll();
        heapSetupThread = null;
    }

    /** The heap's owner: the loop's thread, or the constructing thread until construction ends. */
    private boolean ownsHeap() {
        return inEventLoop() || heapSetupThread == Thread.currentThread();
    }

    /**
     * The heap's waker, called by a thread that armed a timer earlier than the deadline the loop
     * published. A running loop is woken through its I/O handler, whose {@code wakeup()} is sticky
     * (selector wakeup, eventfd write, unpark). A loop that has not started, or has suspended, is
     * started or resumed the way Netty does it, by {@code execute}.
     */
    private void wakeForTimer() {
        if (ownerRunning) {
            // Flag first, then the handler's wake-up: see timerWakeRequested.
            timerWakeRequested = true;
            ioHandler().wakeup();
            return;
        }
        try {
            execute(START);
        } catch (RejectedExecutionException shutDown) {
            // The loop has shut down; its heap is closed and rejects or has dropped the timer.
        }
    }

    /**
     * This loop's timers: schedule on them from any thread; this loop services them. Nothing here
     * leads to the heap's driver (close, runDue, beforePoll), which only this loop runs.
     */
    public Timers timers() {
        return heap.timers();
    }

    // ------------------------------------------------------------------------------------------
    // The pass: loop thread
    // ------------------------------------------------------------------------------------------

    @Override
    protected void run() {
        ownerRunning = true;
        try {
            super.run();
        } finally {
            ownerRunning = false;
        }
        if (!isShuttingDown()) {
            // super.run() returned because canSuspend() said yes. Netty asks again before it
            // suspends, and a "no" there (a timer or task arrived in between) would make it shut
            // the loop down; keep the answer so that Netty suspends and then re-checks, which
            // resumes the loop instead. See canSuspend(int).
            suspendDecided = true;
            // Publish "asleep" so that the next earlier timer from another thread calls
            // wakeForTimer(), which resumes the loop.
            heap.beforePoll();
        }
    }

    /** Services the heap around the I/O handler's poll. */
    @Override
    protected int runIo() {
        TimerHeap heap = this.heap;
        if (heap.isClosed()) {
            pollDeadline = Long.MAX_VALUE;
            timersDue = false;
            return super.runIo();
        }
        if (timerWakeRequested) {
            // Before beforePoll() publishes the deadline, whose volatile store orders this one
            // first: a waker that sees the new deadline sets the flag after this reset.
            timerWakeRequested = false;
        }
        long deadline = heap.beforePoll();
        pollDeadline = deadline;
        timersDue = deadline != Long.MAX_VALUE && deadline - loopClock.nanoTime() <= 0;
        boolean mayBlock = pollContext.canBlock();
        int handled;
        try {
            handled = ioHandler().run(pollContext);
        } finally {
            heap.afterPoll();
        }
        if (mayBlock && handled == 0 && !pollEndsEarly) {
            noticeEarlyPoll();
        }
        long start = loopClock.nanoTime();
        if (heap.runDue(start, TIMER_BATCH) > 0 && isSuspensionSupported()) {
            // Timers are work: the auto-scaler should see them as active time.
            reportActiveIoTime(loopClock.nanoTime() - start);
        }
        return handled;
    }

    /** After a poll that could block and handled nothing: did it end before its deadline, unwoken? */
    private void noticeEarlyPoll() {
        if (pollDeadline == Long.MAX_VALUE) {
            return; // no timer to wait for: how the poll rounds does not matter
        }
        long until = deadlineNanos(); // Netty's own tasks included: one due now is a good reason
        if (!timerWakeRequested && !hasTasks() && until - loopClock.nanoTime() > 0) {
            pollEndsEarly = true;
        }
    }

    /** The earlier of Netty's own next scheduled task and the heap's published deadline. */
    @Override
    protected long deadlineNanos() {
        long own = nextScheduledTaskDeadlineNanos(); // -1: none
        long timers = pollDeadline;
        if (timers == Long.MAX_VALUE) {
            return own == -1 ? super.deadlineNanos() : own;
        }
        return own == -1 ? timers : Math.min(own, timers);
    }

    /**
     * How long the poll may block. {@code currentTimeNanos} is a raw {@link System#nanoTime()};
     * deadlines are in the ticker's domain, which is offset by {@link Ticker#initialNanoTime()}.
     */
    @Override
    protected long delayNanos(long currentTimeNanos) {
        long timers = pollDeadline;
        if (timers == Long.MAX_VALUE) {
            return super.delayNanos(currentTimeNanos);
        }
        long own = nextScheduledTaskDeadlineNanos();
        long deadline = own == -1 ? timers : Math.min(own, timers);
        long delay = Math.max(0, deadline - (currentTimeNanos - loopClock.initialNanoTime()));
        if (delay > 0 && delay < MILLISECOND && pollEndsEarly) {
            // NIO selects in whole milliseconds and rounds a wait under half of one to selectNow(),
            // so a deadline 0.3 ms away would make it spin until then. Waiting one millisecond
            // instead runs the timer at most that much late, never early, and an I/O event or a
            // wake-up still ends the wait at once.
            return MILLISECOND;
        }
        return delay;
    }

    /** Never suspend while the heap holds pending timers. */
    @Override
    protected boolean canSuspend(int state) {
        if (suspendDecided) {
            suspendDecided = false;
            return true; // Netty's first check after run() returned; it re-checks after suspending
        }
        // Evaluated only when Netty would suspend, so the drain it takes is off the hot path.
        return super.canSuspend(state) && heap.isIdle();
    }

    /** On shutdown: Netty's own tasks, then the heap closes and its futures complete as cancelled. */
    @Override
    protected void cancelScheduledTasks() {
        super.cancelScheduledTasks();
        if (!heap.isClosed()) {
            heap.close(); // each pending LoopScheduledFuture completes as cancelled (disarmedByClose)
        }
    }

    // ------------------------------------------------------------------------------------------
    // Netty's scheduler, routed into the heap: any thread
    // ------------------------------------------------------------------------------------------

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(unit, "unit");
        long deadline = deadline(unit.toNanos(delay));
        return arm(new LoopScheduledFuture.OfRunnable(this, command, deadline), deadline);
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        Objects.requireNonNull(callable, "callable");
        Objects.requireNonNull(unit, "unit");
        long deadline = deadline(unit.toNanos(delay));
        return arm(new LoopScheduledFuture.OfCallable<>(this, callable, deadline), deadline);
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(unit, "unit");
        long periodNanos = checkPeriodic(initialDelay, period, "period", unit);
        long deadline = deadline(unit.toNanos(initialDelay));
        return arm(new LoopScheduledFuture.Periodic(this, command, deadline, periodNanos), deadline);
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(unit, "unit");
        long delayNanos = checkPeriodic(initialDelay, delay, "delay", unit);
        long deadline = deadline(unit.toNanos(initialDelay));
        return arm(new LoopScheduledFuture.Periodic(this, command, deadline, -delayNanos), deadline);
    }

    /** Netty's contract, and ours: the delay counts from a ticker reading taken by this call. */
    private long deadline(long delayNanos) {
        return Deadlines.after(loopClock.nanoTime(), delayNanos);
    }

    /** The JDK's checks for periodic tasks, with its messages; the period in nanoseconds. */
    private static long checkPeriodic(long initialDelay, long period, String name, TimeUnit unit) {
        if (initialDelay < 0) {
            throw new IllegalArgumentException("initialDelay must be >= 0, was " + initialDelay + " " + unit);
        }
        if (period <= 0) {
            throw new IllegalArgumentException(name + " must be > 0, was " + period + " " + unit);
        }
        return unit.toNanos(period);
    }

    /**
     * Arms the future, which is itself the heap's timer, unless its constructor did (on this
     * loop: one CAS less). A future the heap refuses fails with the refusal; a closed heap's
     * refusal is also thrown, a full heap's is only in the future.
     */
    private <V> ScheduledFuture<V> arm(LoopScheduledFuture<V> future, long deadline) {
        if (isShuttingDown()) {
            if (inEventLoop()) {
                future.cancel(false);
                return future;
            }
            // Made elsewhere, so never armed: nothing to undo.
            throw new RejectedExecutionException(
                    "event loop " + this + " is shutting down or terminated;" + " task not scheduled");
        }
        if (future.isPending()) {
            return future;
        }
        try {
            // A loop that is not running yet, or suspended, is started by the heap's waker.
            future.resetAt(deadline);
        } catch (RejectedExecutionException refused) {
            future.rejected(refused);
            if (heap.isClosed()) {
                throw refused; // shut down meanwhile: as above
            }
            // maxTimers: Netty's own schedule never throws for a live loop, so the future carries
            // the refusal, with the heap's message.
        }
        return future;
    }

    /**
     * What the I/O handler sees: Netty's own context, except that it must not block while timers
     * are due. Delay and deadline come from this loop's overrides, which include the heap.
     */
    private final class PollContext implements IoHandlerContext {
        @Override
        public boolean canBlock() {
            return !timersDue && !timerWakeRequested && !hasTasks() && !hasScheduledTasks();
        }

        @Override
        public long delayNanos(long currentTimeNanos) {
            return TimerEventLoop.this.delayNanos(currentTimeNanos);
        }

        @Override
        public long deadlineNanos() {
            return TimerEventLoop.this.deadlineNanos();
        }

        @Override
        public void reportActiveIoTime(long activeNanos) {
            TimerEventLoop.this.reportActiveIoTime(activeNanos);
        }

        @Override
        public boolean shouldReportActiveIoTime() {
            return isSuspensionSupported();
        }
    }
}
