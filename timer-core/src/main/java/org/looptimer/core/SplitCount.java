package org.looptimer.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.LongAdder;

/**
 * A count that a heap's owner thread changes all the time and other threads change too, kept in
 * two shares so that nobody pays for a contended atomic: the owner's in a plain field, the other
 * threads' in a striped {@link LongAdder} (threads that schedule and cancel at once each get a
 * cell of their own). Either share may go negative; the count is their sum.
 *
 * <p>Threads: {@link #ownerAdd} on the owner only; {@link #add} and {@link #get} on any thread.
 * {@link #get} costs a read of every stripe, of which there are at most as many as CPUs, and only
 * as many as contention created.
 */
final class SplitCount {

    private static final VarHandle OWNED;

    static {
        try {
            OWNED = MethodHandles.lookup().findVarHandle(SplitCount.class, "owned", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    // --- written by the owner only, with opaque stores: readers need a whole value, no order ---
    private long owned;

    // --- written by any other thread ---
    private final LongAdder others = new LongAdder();

    /** Owner: no atomic instruction. */
    void ownerAdd(long delta) {
        OWNED.setOpaque(this, owned + delta);
    }

    /** Any thread other than the owner. */
    void add(long delta) {
        others.add(delta);
    }

    /** Any thread: exact on the owner once the others' changes it depends on are visible. */
    long get() {
        return (long) OWNED.getOpaque(this) + others.sum();
    }
}
