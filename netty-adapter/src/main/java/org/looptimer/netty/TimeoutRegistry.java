package org.looptimer.netty;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Collection;
import org.looptimer.core.Timers;

/**
 * The {@link LoopTimeout}s of one {@link LoopTimer} on one loop, so that {@link LoopTimer#stop()}
 * can find and cancel them: a lock-free singly linked list, newest first.
 *
 * <p>Any thread pushes with one CAS on {@link #head}; nobody removes on cancel or expiry, which
 * therefore cost nothing here. Instead, once the pushes since the last sweep exceed the live count
 * found by that sweep (and at least {@link #MIN_SWEEP}), the pushing thread that wins
 * {@link #sweeping} unlinks every finished node: amortized O(1) per push, and the list stays
 * within about twice the live timeouts, as Go's heap does with its deleted timers.
 *
 * <p>Why this is safe without a lock: pushers write only their own node's link before the CAS
 * that publishes it, and only the single sweeper rewrites links of published nodes. The sweeper
 * never unlinks the head (pushers race on it), and an unlinked node keeps its link, so a
 * concurrent traversal that holds it still reaches the rest of the list.
 *
 * <p>Threads: every method, any thread.
 */
final class TimeoutRegistry {

    private static final int MIN_SWEEP = 64;

    private static final VarHandle HEAD;
    private static final VarHandle SWEEPING;
    private static final VarHandle PUSHES;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            HEAD = lookup.findVarHandle(TimeoutRegistry.class, "head", LoopTimeout.class);
            SWEEPING = lookup.findVarHandle(TimeoutRegistry.class, "sweeping", int.class);
            PUSHES = lookup.findVarHandle(TimeoutRegistry.class, "pushesSinceSweep", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The timers of the loop these timeouts live on. */
    final Timers timers;

    private volatile LoopTimeout head;
    /** 1 while a thread sweeps. CAS. */
    // Read only through SWEEPING.
    @SuppressWarnings("UnusedVariable")
    private volatile int sweeping;
    /**
     * Pushes since the last sweep. Opaque read-increment-write: lost increments from racing
     * pushers only delay a sweep a little, and a fenced add would cost every push.
     */
    // Read and written only through PUSHES.
    @SuppressWarnings("UnusedVariable")
    private int pushesSinceSweep;
    /** Live nodes the last sweep found; written by the sweeper, read as a hint. */
    private volatile int liveAtLastSweep;

    TimeoutRegistry(Timers timers) {
        this.timers = timers;
    }

    void push(LoopTimeout timeout) {
        LoopTimeout h;
        do {
            h = head;
            // Plain store: the node is private until the CAS below, which releases it.
            LoopTimeout.NEXT.set(timeout, h);
        } while (!HEAD.compareAndSet(this, h, timeout));
        int pushes = (int) PUSHES.getOpaque(this) + 1;
        PUSHES.setOpaque(this, pushes);
        if (pushes > Math.max(MIN_SWEEP, liveAtLastSweep)) {
            trySweep();
        }
    }

    private void trySweep() {
        if (!SWEEPING.compareAndSet(this, 0, 1)) {
            return; // someone else is at it
        }
        try {
            PUSHES.setOpaque(this, 0);
            LoopTimeout prev = head;
            if (prev == null) {
                return;
            }
            int live = 1;
            LoopTimeout node = (LoopTimeout) LoopTimeout.NEXT.getAcquire(prev);
            while (node != null) {
                LoopTimeout next = (LoopTimeout) LoopTimeout.NEXT.getAcquire(node);
                if (node.isInit()) {
                    prev = node;
                    live++;
                } else {
                    // Release: a traversal that reads the new link sees the node it points to.
                    LoopTimeout.NEXT.setRelease(prev, next);
                }
                node = next;
            }
            liveAtLastSweep = live;
        } finally {
            sweeping = 0;
        }
    }

    /**
     * Cancels every pending timeout and adds those it cancelled to {@code out}. For
     * {@link LoopTimer#stop()}, which has already made later pushes cancel themselves.
     */
    void cancelAll(Collection<? super LoopTimeout> out) {
        LoopTimeout node = (LoopTimeout) HEAD.getAndSet(this, null);
        while (node != null) {
            if (node.cancel()) {
                out.add(node);
            }
            node = (LoopTimeout) LoopTimeout.NEXT.getAcquire(node);
        }
    }
}
