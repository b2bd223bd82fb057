package org.looptimer.core;

import java.util.Objects;

/**
 * A snapshot of a {@link TimerHeap}'s counters, from {@link Timers#stats()}; an event loop group
 * sums its loops' with {@link #plus}.
 *
 * <pre>{@code
 * log.info("{}", LoopTimers.of(loop).stats());
 * // TimerStats[pending=0, stopped=0, heap=0/16, inbox=0, fired=44884, failed=0, wakeups=5142
 * //   requested/73798 elided, leaked=0, lateness p50=81.9us p99=3.1ms p999=83.9ms max=203.1ms (n=44884)]
 * }</pre>
 *
 * <p>Taken without stopping the owner, so the fields are each current but not a consistent cut of
 * one instant: under concurrent use {@code pendingTimers} may be off by the operations in flight.
 *
 * @param pendingTimers timers armed and not yet run or stopped (tickers count while they tick)
 * @param deletedEntries heap entries of stopped timers not yet swept out of the heap
 * @param heapEntries entries in the heap, live and deleted
 * @param heapCapacity length of the heap's arrays, in entries
 * @param timersFired callbacks run, including those that threw
 * @param callbackFailures callbacks that threw
 * @param wakeupsRequested times a foreign thread woke the owner through its {@link Waker}
 * @param wakeupsElided timers handed over by other threads (schedules, and earlier re-arms of
 *     timers not already on their way) that did not need to wake the owner
 * @param inboxDepth timers handed over by other threads that the owner has not taken in yet
 * @param leaked pending timers whose handle the application could no longer reach, found by
 *     {@link LeakDetection}; always 0 while detection is {@link LeakDetection#DISABLED disabled}
 * @param lateness how late the fired timers ran
 */
public record TimerStats(
        long pendingTimers,
        long deletedEntries,
        long heapEntries,
        long heapCapacity,
        long timersFired,
        long callbackFailures,
        long wakeupsRequested,
        long wakeupsElided,
        long inboxDepth,
        long leaked,
        Lateness lateness) {

    private static final TimerStats EMPTY = new TimerStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, Lateness.none());

    /** @throws NullPointerException if {@code lateness} is null */
    public TimerStats {
        Objects.requireNonNull(lateness, "lateness");
    }

    /** All zero: what {@link #plus} starts from. */
    public static TimerStats empty() {
        return EMPTY;
    }

    /** Field by field sums, and the two lateness histograms merged. */
    public TimerStats plus(TimerStats other) {
        Objects.requireNonNull(other, "other");
        return new TimerStats(
                pendingTimers + other.pendingTimers,
                deletedEntries + other.deletedEntries,
                heapEntries + other.heapEntries,
                heapCapacity + other.heapCapacity,
                timersFired + other.timersFired,
                callbackFailures + other.callbackFailures,
                wakeupsRequested + other.wakeupsRequested,
                wakeupsElided + other.wakeupsElided,
                inboxDepth + other.inboxDepth,
                leaked + other.leaked,
                lateness.plus(other.lateness));
    }

    /** One log line; see the class comment. */
    @Override
    public String toString() {
        return "TimerStats[pending=" + pendingTimers + ", stopped=" + deletedEntries + ", heap=" + heapEntries + "/"
                + heapCapacity + ", inbox=" + inboxDepth + ", fired=" + timersFired + ", failed=" + callbackFailures
                + ", wakeups=" + wakeupsRequested + " requested/" + wakeupsElided + " elided, leaked=" + leaked
                + ", lateness " + lateness + "]";
    }
}
