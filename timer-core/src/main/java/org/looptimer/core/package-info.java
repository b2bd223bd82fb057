/**
 * The looptimer engine: a timer heap with one owner thread, serviced between the owner's polls.
 *
 * <p>Where to start reading:
 * <ul>
 *   <li>{@link org.looptimer.core.Timers} and {@link org.looptimer.core.TimerHandle}: what users
 *       schedule with, from any thread.
 *   <li>{@link org.looptimer.core.TimerHeap}: the owner's driver and its pass.
 *   <li>{@code HeapTimer}: a timer, and the state machine, documented once with every transition.
 *   <li>{@code DeadlineQueue}: the owner's entries: {@code Nursery}, what the owner armed since
 *       its last pass; {@code NearHeap}, a 4-ary struct-of-arrays heap, and {@code SortedRun}, a
 *       FIFO of what arrived in deadline order, for what is due soon; {@code FarWheel}, O(1)
 *       buckets for what is due later.
 *   <li>{@code Inbox}: how other threads hand timers to the owner, and its race with close.
 *   <li>{@code HeapClock} and {@link org.looptimer.core.Deadlines}: the time arithmetic.
 *   <li>{@code WakeGate}: when a foreign thread must wake the owner (Go's {@code wakeNetPoller}).
 *   <li>{@link org.looptimer.core.TimerThread}: a standalone owner, and the loop every owner runs.
 * </ul>
 */
package org.looptimer.core;
