package org.looptimer.core;

import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Schedules timers on a timer heap that some thread owns and services: an event loop's, or a
 * {@link TimerThread}'s. This is what users get; only the owner drives the heap itself (see
 * {@link TimerHeap}), and nothing here leads to it.
 *
 * <pre>{@code
 * Timers timers = LoopTimers.of(ctx.executor());          // or timerThread.timers()
 * TimerHandle idle = timers.schedule(ctx::close, 30, TimeUnit.SECONDS);
 * TimerHandle ping = timers.scheduleTicker(this::ping, 10, TimeUnit.SECONDS);
 *
 * long now = System.nanoTime();                            // a reading you already hold
 * TimerHandle deadline = timers.scheduleAt(this::expire, now + budgetNanos);
 * }</pre>
 *
 * <p><b>Never early.</b> A timer never runs before the clock reading taken at the call plus its
 * delay (Go, Netty, the JDK and Tokio promise the same). Callers who already hold a reading pass
 * an absolute deadline to {@link #scheduleAt} or {@link TimerHandle#resetAt} and save the read.
 * Callbacks run on the owner thread, first deadline first, and timers due at the same instant run
 * in the order they were armed.
 *
 * <p>Threads: every method, any thread; none blocks.
 */
public interface Timers {

    /**
     * Runs {@code task} once, {@code delay} from now (Go's {@code AfterFunc}). A delay of zero or
     * less runs it on the owner's next pass; one too large to represent never runs it.
     *
     * @throws NullPointerException if {@code task} or {@code unit} is null
     * @throws RejectedExecutionException if the heap is closed or holds {@code maxTimers} pending
     *     timers; nothing already scheduled is affected
     */
    TimerHandle schedule(Runnable task, long delay, TimeUnit unit);

    /**
     * Runs {@code task} once at {@code deadlineNanos}, a reading of the heap's clock (for an event
     * loop, its {@code ticker().nanoTime()}; for the default clock, {@link System#nanoTime()}). No
     * clock is read. A deadline already past runs on the owner's next pass; {@link Long#MAX_VALUE}
     * never runs.
     *
     * @throws NullPointerException if {@code task} is null
     * @throws RejectedExecutionException if the heap is closed or full
     */
    TimerHandle scheduleAt(Runnable task, long deadlineNanos);

    /**
     * Runs {@code task} every {@code period}, first one period from now (Go's {@code Ticker}). A
     * ticker that falls behind skips the runs it missed rather than running them in a burst.
     *
     * @throws NullPointerException if {@code task} or {@code unit} is null
     * @throws IllegalArgumentException if {@code period <= 0}
     * @throws RejectedExecutionException if the heap is closed or full
     */
    TimerHandle scheduleTicker(Runnable task, long period, TimeUnit unit);

    /**
     * The earliest deadline the heap knows, in its clock's domain; {@link Long#MAX_VALUE} when
     * none. A timer scheduled from another thread counts once the owner has taken it in, and one
     * stopped from another thread counts until the owner drops it, so the answer errs early, never
     * late, for the work it knows.
     */
    long nextDeadlineNanos();

    /**
     * A snapshot of the heap's counters; see {@link TimerStats}. Any thread. It walks the timers
     * other threads handed over and the owner has not taken in yet, O(that backlog): a call for a
     * metrics poll, not for every operation.
     */
    TimerStats stats();

    /**
     * The creation sites with the most pending timers, most first, at most {@code n}; empty when
     * leak detection is {@link LeakDetection#DISABLED disabled}. With {@link LeakDetection#SAMPLED}
     * the counts are of the sampled timers, about one in {@value LeakTracker#SAMPLE_ONE_IN}.
     *
     * <pre>{@code
     * timers.topSites(3).forEach(site -> log.warn("pending timers: {}", site));
     * }</pre>
     *
     * @throws IllegalArgumentException if {@code n <= 0}
     */
    List<TimerSite> topSites(int n);

    /** Whether the heap is closed: its timers were stopped, and new ones are rejected. */
    boolean isClosed();
}
