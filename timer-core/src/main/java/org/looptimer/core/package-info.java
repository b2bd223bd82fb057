/**
 * The looptimer engine: a timer heap with one owner thread, serviced between the owner's polls.
 *
 * <p>Where to start reading:
 * <ul>
 *   <li>{@link org.looptimer.core.TimerHeap}: the public API and the cross-thread protocol.
 *   <li>{@code HeapTimer}: a timer, and the state machine, documented once with every transition.
 *   <li>{@code QuaternaryHeap}: the owner's 4-ary struct-of-arrays heap.
 *   <li>{@code WakeGate}: when a foreign thread must wake the owner (Go's {@code wakeNetPoller}).
 *   <li>{@link org.looptimer.core.TimerThread}: a standalone owner, and the loop every owner runs.
 * </ul>
 */
package org.looptimer.core;
