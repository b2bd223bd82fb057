package org.looptimer.core;

/**
 * Wakes a {@link TimerHeap}'s owner from its blocking poll.
 *
 * <p>Called from a foreign thread when a timer it scheduled or moved earlier is due before the
 * deadline the owner published in {@link TimerHeap#beforePoll()}; at most once per poll. The
 * wake-up must be <em>sticky</em>: one that lands before the owner blocks must make that blocking
 * call return at once ({@code LockSupport.unpark}, Netty's {@code IoHandler.wakeup()}, a
 * {@code Selector.wakeup()} all are).
 *
 * <pre>{@code
 * Thread owner = Thread.currentThread();
 * TimerHeap heap = TimerHeap.builder().waker(() -> LockSupport.unpark(owner)).build();
 * }</pre>
 */
@FunctionalInterface
public interface Waker {

    /** A waker that does nothing: for an owner that never blocks longer than it must. */
    Waker NONE = () -> {};

    /** Makes the owner's current or next blocking poll return promptly. Must not block. */
    void wakeup();
}
