package org.looptimer.core;

/**
 * A snapshot of a {@link TimerHeap}'s counters, from {@link TimerHeap#stats()}.
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
 * @param wakeupsElided foreign schedules and earlier re-arms that did not need to wake the owner
 */
public record TimerStats(
        long pendingTimers,
        long deletedEntries,
        long heapEntries,
        long heapCapacity,
        long timersFired,
        long callbackFailures,
        long wakeupsRequested,
        long wakeupsElided) {}
