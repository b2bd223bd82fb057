package org.looptimer.core;

import java.util.function.Consumer;
import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.MpscUnboundedXaddArrayQueue;

/**
 * The hand-over from other threads to a heap's owner: timers it must place (new, or re-armed from
 * idle) or move earlier, in a JCTools MPSC queue that the owner drains in batches, and the flag
 * that closes it.
 *
 * <p>The race with {@link #close}: a producer offers and then reads {@link #closed}; close writes
 * {@link #closed} and then polls until the queue is empty. The offer's XADD on the producer index
 * is a volatile read-modify-write and {@link #closed} is volatile, so at least one side sees the
 * other: either close's poll sees the claimed slot (and {@code poll()}, unlike
 * {@code relaxedPoll()}, waits for the element to land), or the producer sees the heap closed and
 * must undo its arming itself, since nobody will drain it.
 *
 * <p>Threads: {@link #offer} any thread but the owner; {@link #drain}, {@link #isEmpty} and
 * {@link #close} the owner; {@link #isClosed} any thread.
 */
final class Inbox {

    /** Chunk size; chunks are pooled so that a steady state allocates nothing. */
    private static final int CHUNK = 1024;

    private static final int POOLED_CHUNKS = 4;

    private final MpscUnboundedXaddArrayQueue<HeapTimer> queue =
            new MpscUnboundedXaddArrayQueue<>(CHUNK, POOLED_CHUNKS);

    /** Volatile: the producers' re-check after their offer; see the class comment. */
    private volatile boolean closed;

    /**
     * Hands {@code timer} to the owner.
     *
     * @return false if the heap has closed: the owner may never drain this offer
     */
    boolean offer(HeapTimer timer) {
        queue.offer(timer); // XADD: a full fence before the volatile load below
        return !closed;
    }

    boolean isClosed() {
        return closed;
    }

    /** Owner: applies up to {@code limit} queued timers in arrival order. */
    int drain(MessagePassingQueue.Consumer<HeapTimer> apply, int limit) {
        return queue.drain(apply, limit);
    }

    /** Owner. Volatile loads of both queue indexes: the owner's half of the wake-up protocol. */
    boolean isEmpty() {
        return queue.isEmpty();
    }

    /** Owner: closes the inbox and hands every queued timer to {@code each}. */
    void close(Consumer<HeapTimer> each) {
        closed = true; // volatile store before the polls: pairs with offer()'s re-check
        HeapTimer t;
        // poll(), not relaxedPoll(): wait out producers that claimed a slot before seeing `closed`.
        while ((t = queue.poll()) != null) {
            each.accept(t);
        }
    }
}
