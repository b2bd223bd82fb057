package org.looptimer.core;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;

/**
 * The reference model for {@link TimerHeapModelTest}: what a {@link TimerHeap} must do, written as
 * plainly as possible, with no heap, no laziness and no inbox. Times are nanoseconds since the
 * heap's origin; {@link #NEVER} stands for a deadline that never comes.
 *
 * <p>The rules it encodes:
 * <ul>
 *   <li>Never early: every arming, on any thread, measures its delay from the clock reading at the
 *       call; an absolute deadline is taken as given. An owner arming during a pass whose deadline
 *       is before the pass's {@code now} is armed at {@code now} (it waits for the next pass anyway).
 *   <li>Zero or negative delay: due at that time. Overflow: never. An absolute deadline before the
 *       origin is the origin; {@link Long#MAX_VALUE} is never.
 *   <li>A pass runs every pending timer whose deadline is at or before {@code now} and that was not
 *       armed during the pass, earliest deadline first. Equal deadlines run in owner arming order
 *       (schedule, reset, or a ticker's re-arm when it runs). A timer last armed by a foreign thread
 *       has no defined place among equal deadlines, so it may run anywhere among them.
 *   <li>A ticker that runs at {@code now} re-arms at {@code when + period * (1 + (now - when) / period)}.
 * </ul>
 *
 * <p>Single-threaded: the test thread drives it, also for operations a foreign thread performs.
 */
final class ReferenceTimers {

    static final long NEVER = Long.MAX_VALUE;

    /** One timer's expected state. */
    static final class Timer {
        final int id;
        final boolean periodic;
        final boolean throwing;
        long period;
        boolean pending;
        long when;
        /** Owner arming order; meaningful only while {@link #ownerOrdered}. */
        long seq;

        boolean ownerOrdered;
        /** Armed during the pass in progress: not due in it. */
        boolean armedThisPass;

        TimerHandle handle;

        Timer(int id, boolean periodic, boolean throwing) {
            this.id = id;
            this.periodic = periodic;
            this.throwing = throwing;
        }

        /** A copy of the state now, formatted only if a failure message needs it. */
        Snapshot snapshot() {
            return new Snapshot(id, periodic, pending, when, period, seq, ownerOrdered, armedThisPass);
        }

        @Override
        public String toString() {
            return snapshot().toString();
        }
    }

    record Snapshot(
            int id,
            boolean periodic,
            boolean pending,
            long when,
            long period,
            long seq,
            boolean ownerOrdered,
            boolean armedThisPass) {
        @Override
        public String toString() {
            return (periodic ? "ticker#" : "timer#") + id + "[" + (pending ? "pending" : "idle")
                    + ", when=" + (when == NEVER ? "never" : when) + (periodic ? ", period=" + period : "")
                    + (ownerOrdered ? ", seq=" + seq : ", foreign-ordered")
                    + (armedThisPass ? ", armed this pass" : "") + "]";
        }
    }

    final long origin;
    private long nextSeq;
    private int nextId;

    private boolean inPass;
    private long passNow;
    private int passRan;

    long fired;
    long failures;

    /** Every timer that may be pending; the test keeps handles to all of them. */
    final List<Timer> timers = new ArrayList<>();
    /** The pending ones, in run order for owner-armed ties; arming sequences are unique. */
    private final TreeSet<Timer> byDeadline =
            new TreeSet<>(Comparator.comparingLong((Timer t) -> t.when).thenComparingLong(t -> t.seq));

    private final List<Timer> armedThisPass = new ArrayList<>();

    ReferenceTimers(long origin) {
        this.origin = origin;
    }

    /** The clock-domain value of an internal time, as {@link TimerHandle#deadlineNanos()} gives it. */
    long toClock(long internal) {
        return internal == NEVER ? Long.MAX_VALUE : origin + internal;
    }

    long toInternal(long clockNanos) {
        return clockNanos - origin;
    }

    static long deadline(long now, long delayNanos) {
        if (delayNanos <= 0) {
            return now;
        }
        if (delayNanos > Long.MAX_VALUE / 4) {
            return NEVER; // the test uses only small delays or overflowing ones
        }
        return now + delayNanos;
    }

    /** Marks {@code t} armed now; its deadline is already set. Call {@link #unindex} before changing it. */
    private void armed(Timer t, boolean owner) {
        if (inPass && owner && t.when < passNow) {
            t.when = passNow;
        }
        t.pending = true;
        t.ownerOrdered = owner;
        t.seq = nextSeq++;
        t.armedThisPass = inPass;
        if (inPass) {
            armedThisPass.add(t);
        }
        byDeadline.add(t);
    }

    private void unindex(Timer t) {
        if (t.pending) {
            byDeadline.remove(t);
        }
    }

    Timer schedule(boolean owner, boolean periodic, long delayNanos, long clockInternal, boolean throwing) {
        Timer t = new Timer(nextId++, periodic, throwing);
        t.period = periodic ? delayNanos : 0;
        t.when = deadline(clockInternal, delayNanos);
        armed(t, owner);
        timers.add(t);
        return t;
    }

    boolean stop(Timer t) {
        boolean wasPending = t.pending;
        unindex(t);
        t.pending = false;
        return wasPending;
    }

    boolean reset(Timer t, boolean owner, long delayNanos, long clockInternal) {
        boolean wasPending = t.pending;
        unindex(t);
        if (t.periodic) {
            t.period = delayNanos;
        }
        t.when = deadline(clockInternal, delayNanos);
        armed(t, owner);
        return wasPending;
    }

    /** The heap's internal time for an absolute clock-domain deadline. */
    long absolute(long clockNanos) {
        // The heap keeps deadlines below 2^59 ns (18 years): anything later is as good as never.
        return clockNanos == Long.MAX_VALUE ? NEVER : Math.min(Math.max(0, clockNanos - origin), (1L << 59) - 2);
    }

    Timer scheduleAt(boolean owner, long whenInternal, boolean throwing) {
        Timer t = new Timer(nextId++, false, throwing);
        t.when = whenInternal;
        armed(t, owner);
        timers.add(t);
        return t;
    }

    boolean resetAt(Timer t, boolean owner, long whenInternal) {
        boolean wasPending = t.pending;
        unindex(t);
        t.when = whenInternal;
        armed(t, owner);
        return wasPending;
    }

    /** The earliest pending deadline (internal), or {@link #NEVER}. */
    long earliestDeadline() {
        return byDeadline.isEmpty() ? NEVER : byDeadline.first().when;
    }

    long pendingCount() {
        return byDeadline.size();
    }

    void beginPass(long nowInternal) {
        inPass = true;
        passNow = nowInternal;
        passRan = 0;
        for (Timer t : armedThisPass) {
            t.armedThisPass = false;
        }
        armedThisPass.clear();
    }

    private boolean due(Timer t) {
        return t.pending && !t.armedThisPass && t.when != NEVER && t.when <= passNow;
    }

    /**
     * The engine is running {@code actual}'s callback: checks that it is a timer that must run
     * next, and applies the run. Returns null if it may run, else why not.
     */
    String fire(Timer actual) {
        if (!inPass) {
            return actual + " ran outside runDue";
        }
        // Walk the due timers in (deadline, arming) order: the earliest due deadline, and the
        // first owner-armed timer at it.
        long min = NEVER;
        Timer firstOwnerArmed = null;
        for (Timer t : byDeadline) {
            if (t.when > passNow || t.when == NEVER || (min != NEVER && t.when > min)) {
                break;
            }
            if (t.armedThisPass) {
                continue;
            }
            min = t.when;
            if (t.ownerOrdered && firstOwnerArmed == null) {
                firstOwnerArmed = t;
            }
        }
        if (!due(actual) || actual.when != min) {
            return actual + " ran, but the earliest due deadline is "
                    + (min == NEVER ? "none" : String.valueOf(min)) + " at pass time " + passNow
                    + "; due now: " + dueTimers();
        }
        if (actual.ownerOrdered && actual != firstOwnerArmed) {
            return actual + " ran before " + firstOwnerArmed + ", armed earlier with the same deadline";
        }
        passRan++;
        fired++;
        byDeadline.remove(actual);
        if (actual.periodic) {
            long steps = 1 + (passNow - actual.when) / actual.period;
            actual.when = steps > (NEVER - actual.when) / actual.period ? NEVER : actual.when + steps * actual.period;
            actual.seq = nextSeq++;
            actual.ownerOrdered = true;
            byDeadline.add(actual);
        } else {
            actual.pending = false;
        }
        return null;
    }

    /** The pass ended having run {@code ran} callbacks under {@code limit}; null if that is right. */
    String endPass(int ran, int limit) {
        inPass = false;
        if (ran != passRan) {
            return "runDue returned " + ran + " but " + passRan + " callbacks ran";
        }
        if (ran < limit) {
            List<Timer> left = dueTimers();
            if (!left.isEmpty()) {
                return "runDue stopped after " + ran + " (limit " + limit + ") with timers still due: " + left;
            }
        }
        return null;
    }

    private List<Timer> dueTimers() {
        List<Timer> due = new ArrayList<>();
        for (Timer t : byDeadline) {
            if (due(t)) {
                due.add(t);
            }
        }
        return due;
    }
}
