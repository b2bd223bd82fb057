package org.looptimer.core;

import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.varhandle.MpscUnboundedVarHandleArrayQueue;

/**
 * The hand-over from other threads to a heap's owner: timers it must place (new, or re-armed from
 * idle) or move earlier, in a JCTools MPSC queue that the owner drains in batches; the wake-up
 * that follows a hand-over ({@link WakeGate}); and the flag that closes it.
 *
 * <p>A hand-over due later than the owner's sleep wakes nobody, so while the owner sleeps toward a
 * far deadline its inbox would grow without bound: a thread pool that schedules and cancels
 * request timeouts on a quiet loop would pile up every one of them, each pinning its timer and its
 * task, until the loop next woke. So the producer that finds {@value #WAKE_BACKLOG} or more
 * hand-overs waiting wakes a sleeping owner whatever the deadlines: the backlog, its memory and
 * the owner's drain stay bounded, at one wake-up per {@value #WAKE_BACKLOG} hand-overs at most.
 * Producers look at the backlog on one offer in {@value #BACKLOG_CHECK_EVERY} only, because
 * reading the owner's consumer index on every offer would move its cache line back and forth.
 *
 * <p>The race with {@link #close}: a producer offers and then reads {@link #closed}; close writes
 * {@link #closed} and then polls until the queue is empty. The offer's CAS on the producer index
 * is a volatile read-modify-write and {@link #closed} is volatile, so at least one side sees the
 * other: either close's poll sees the claimed slot (and {@code poll()}, unlike
 * {@code relaxedPoll()}, waits for the element to land), or the producer sees the heap closed and
 * must undo its arming itself, since nobody will drain it.
 *
 * <p>Threads: {@link #handOver} any thread but the owner; {@link #drain}, {@link #claimed},
 * {@link #taken} and {@link #close} the owner; {@link #isClosed}, {@link #depth},
 * {@link #armedUncounted} and {@link #handOversElided} any thread.
 */
final class Inbox {

    /**
     * Chunk size. The queue reuses its chunk while fewer than {@value} hand-overs wait at once
     * (0 B per hand-over measured, InboxBenchmark); a burst beyond that links new chunks, which
     * JCTools pools only in its {@code Unsafe} flavour, whose start-up warning on JDK 24 and later
     * we keep out of our users' logs.
     */
    private static final int CHUNK = 1024;

    /**
     * Hand-overs waiting at once that make a producer wake a sleeping owner; see the class comment.
     * A few MiB of timers at most, and as many as one pass drains. Far above the chunk size
     * because every wake-up costs both threads a system call and the owner a pass.
     */
    static final int WAKE_BACKLOG = 64 * 1024;

    /** Offers per look at the backlog; a power of two, the producer index is masked. */
    static final int BACKLOG_CHECK_EVERY = 1024;

    /** The VarHandle flavour of JCTools' unbounded MPSC array queue. */
    private final MpscUnboundedVarHandleArrayQueue<HeapTimer> queue = new MpscUnboundedVarHandleArrayQueue<>(CHUNK);

    private final WakeGate gate;

    /**
     * Offers that woke the owner: the rare case, so its atomic does not matter. The common case,
     * an offer that did not wake it, is counted by nobody: it is every other offer.
     */
    private final LongAdder offersThatWoke = new LongAdder();

    /** Volatile: the producers' re-check after their offer; see the class comment. */
    private volatile boolean closed;

    Inbox(WakeGate gate) {
        this.gate = gate;
    }

    /**
     * Foreign thread, after its CAS armed {@code t} at {@code when} from the word {@code before}:
     * enqueues the timer if the owner must look at it and no reference is queued yet, then wakes
     * the owner if the deadline is earlier than the one it sleeps toward.
     *
     * @return false if the heap closed meanwhile: the owner may never see this arming, and the
     *     caller must settle it
     */
    boolean handOver(HeapTimer t, long when, long before) {
        boolean needsOwner = HeapTimer.needsOwner(before, when);
        boolean offered = needsOwner && !HeapTimer.queued(before);
        if (offered) {
            queue.offer(t); // a CAS on the producer index: a full fence before the load below
        }
        if (closed) { // after the CAS and the offer: see the class comment
            return false;
        }
        if (needsOwner) {
            // The word's deadline, not just ours: while QUEUED was set and this offer not yet
            // made, another thread may have re-armed the timer earlier and, relying on this
            // reference to reach the owner, skipped its own wake-up. Volatile read after the
            // offer's full fence: either we see that deadline, or that thread saw the owner's.
            boolean woke = gate.wakeIfEarlier(Math.min(when, HeapTimer.when(t.word())))
                    || (offered && backlogFull() && gate.wakeIfAsleep());
            if (woke && offered) {
                offersThatWoke.increment();
            }
        }
        return true;
    }

    /**
     * Producer, after its offer: whether {@link #WAKE_BACKLOG} hand-overs or more wait, looked at
     * on one offer in {@link #BACKLOG_CHECK_EVERY}. The producer index is the line the offer's CAS
     * just wrote, so the filter costs no miss; only the rare look reads the owner's index.
     */
    private boolean backlogFull() {
        return (queue.currentProducerIndex() & (BACKLOG_CHECK_EVERY - 1)) == 0 && queue.size() >= WAKE_BACKLOG;
    }

    /**
     * Any thread: hand-overs (offers) that did not need to wake the owner. Derived from the
     * queue's producer index, so that the common case costs the producers no counter of its own;
     * while producers offer, an offer may count here for a moment before its wake-up counts.
     */
    long handOversElided() {
        return Math.max(0, queue.currentProducerIndex() - offersThatWoke.sum());
    }

    boolean isClosed() {
        return closed;
    }

    /** Owner: applies up to {@code limit} queued timers in arrival order. */
    int drain(MessagePassingQueue.Consumer<HeapTimer> apply, int limit) {
        return queue.drain(apply, limit);
    }

    /**
     * Owner: hand-overs claimed so far, written or not. A volatile load of the producer index:
     * after the owner publishes its deadline, the owner's half of the wake-up protocol. The queue
     * counts two per element and holds the index odd while an offer links a new chunk; rounding
     * up counts that offer as claimed, since its producer may have read the gate before us.
     */
    long claimed() {
        return (queue.lvProducerIndex() + 1) >> 1;
    }

    /** Owner: hand-overs drained so far. */
    long taken() {
        return queue.lvConsumerIndex() >> 1;
    }

    /** Any thread: timers waiting for the owner; approximate while producers offer. */
    int depth() {
        return queue.size();
    }

    /**
     * Any thread, for statistics: the pending timers waiting here that the heap's counts leave
     * to the drain ({@link HeapTimer#UNCOUNTED}). Walks the queue, O(depth), with JCTools' weakly
     * consistent iterator: exact when nobody hands over or drains meanwhile, else off by the
     * operations in flight, like the counts themselves.
     */
    long armedUncounted() {
        long n = 0;
        for (HeapTimer t : queue) {
            long w = t.word();
            if (HeapTimer.uncounted(w) && HeapTimer.state(w) == HeapTimer.PENDING) {
                n++;
            }
        }
        return n;
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
