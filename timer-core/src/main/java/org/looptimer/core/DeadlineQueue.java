package org.looptimer.core;

import java.util.ArrayList;
import java.util.List;

/**
 * The owner's priority queue of timer entries: a {@link NearHeap} and a {@link SortedRun} for what
 * is due soon, in front of two levels of {@link FarWheel} for what is due later, the split of the
 * Linux timer wheel and hrtimers, with exact deadlines everywhere.
 *
 * <p>The nursery. What the owner arms waits first in a small unordered {@link Nursery}, and takes
 * its place below at the owner's next pass, or at once if it could be the earliest entry: a
 * timeout armed and stopped in between (a request answered within the pass that armed its
 * deadline) costs a few hot cache lines and never meets the structures below.
 *
 * <p>Where an entry goes. An entry goes to the inner wheel (buckets of about 34 ms, spanning
 * about 4.6 minutes) when its bucket starts after the near top and after the bucket of the
 * owner's last pass; one due past the inner span goes to the outer wheel (buckets of about 2 s,
 * spanning about 4.9 hours). Anything else goes to the run if it is due within the last pass's
 * bucket and orders after the run's last entry, and to the heap otherwise, as does anything a
 * full bucket refuses. The near top is the earlier of the heap's top and the run's head.
 *
 * <p>Cascades. An outer bucket moves into the inner wheel once the inner span reaches past its
 * end, minutes before any of it is due, at most {@value #OUTER_BUDGET} entries a pass
 * ({@link #advanceTo}); an inner bucket moves into the run and the heap whenever the near top is
 * not earlier than its start, and every bucket of either level that starts by a pass's time is
 * moved before the pass looks at the top. So the near top is always the earliest entry of the whole queue
 * ({@link #topKey} settles this before it answers). A moved entry is keyed by its timer's current
 * deadline: an entry re-armed later while it waited moves on to a later bucket without meeting the
 * heap.
 *
 * <p>What that buys. A server's timeouts of a few equal durations arrive in deadline order; each
 * schedule, stop and re-arm (earlier or later) is O(1) in a wheel, and the near structures only
 * ever hold about one inner bucket of deadlines. Those that arrive in order, the timeouts shorter
 * than a bucket included, pass through the run, where an expiry and a re-arm at the end are O(1);
 * in the heap an expiry is O(log4 of the heap's size). Random deadlines up to about 4.9 hours out
 * behave the same: each entry moves at most three times (out of the nursery, outer to inner, inner
 * to run or heap) before it is due. Later ones go to the heap.
 *
 * <p>Sequences: every arming takes the next {@code int} from one counter, in the heap and in the
 * wheels alike, and the heap breaks equal deadlines by it, so timers due at the same instant run in
 * the order they were armed wherever they waited.
 *
 * <p>Entry location: {@link HeapTimer#index} is the heap slot ({@code 0 .. }{@link Nursery#BASE}
 * {@code - 1}), a nursery slot (from {@link Nursery#BASE}), a run slot (from {@link SortedRun#BASE}),
 * -1 for no entry, or a wheel position ({@code <= -2}, level included, see {@link FarWheel}).
 *
 * <p>Threads: owner thread only, no synchronization. The one exception is {@link TimerHeap#stats()},
 * which reads {@link #size()} and {@link #capacity()} racily from any thread: a statistic may be
 * stale, and an {@code int} never tears.
 */
final class DeadlineQueue {

    /** The heap's smallest capacity; an empty wheel holds no entry slot. */
    static final int MIN_CAPACITY = NearHeap.MIN_CAPACITY;

    /** What {@link #topKey} answers for an empty queue. */
    static final long EMPTY = Long.MAX_VALUE;

    /**
     * Outer entries moved into the inner wheel per pass, at most, ahead of need: a bucket of 2 s
     * can hold hundreds of thousands at a high arming rate, and moved in one go it would stall
     * the loop for milliseconds. A pass moves more only when a bucket is due, which a loop that
     * passes at least every few minutes never sees.
     */
    static final int OUTER_BUDGET = 4096;

    private final NearHeap heap = new NearHeap();
    /** The near entries that arrived in order, beside the heap; see {@link SortedRun}. */
    private final SortedRun run = new SortedRun();
    /** Buckets of 2^wheelShift ns; cascaded into the heap. */
    private final FarWheel inner;
    /** Buckets {@link FarWheel#OUTER_EXTRA_SHIFT} powers of two wider; cascaded into the inner. */
    private final FarWheel outer;

    private final FarWheel.Sink fromOuter = this::placeFromOuter;
    /** What the owner armed since its last pass; see {@link Nursery}. */
    private final Nursery nursery = new Nursery();

    private final Nursery.Placer fromNursery = this::place;
    private int nextSeq;
    /** Entries the last cascade moved into the heap: the room the next one will likely need. */
    private int lastCascade;
    /**
     * Whether the run, not the heap, holds the entry {@link #topKey} last answered with: decided
     * once there, for {@link #top} and its kin, which callers use before anything else changes.
     */
    private boolean topInRun;
    /** First heap slot of the batch being appended, or -1 outside a batch. */
    private int batchFrom = -1;

    /** @param wheelShift log2 of the inner wheel's bucket width in nanoseconds */
    DeadlineQueue(int wheelShift) {
        this.inner = new FarWheel(wheelShift, false);
        this.outer = new FarWheel(wheelShift + FarWheel.OUTER_EXTRA_SHIFT, true);
    }

    /** Decides, during {@link #sweep}, whether an entry stays and under which key. */
    interface Sweeper {
        /** Returns the entry's key from now on, or -1 to drop it. */
        long keep(HeapTimer timer);
    }

    /** Entries, live and stopped, in the nursery, the heap, the run and the wheels. */
    int size() {
        return nursery.size() + heap.size() + run.size() + inner.count() + outer.count();
    }

    int capacity() {
        return nursery.capacity() + heap.capacity() + run.capacity() + inner.capacity() + outer.capacity();
    }

    /** The sequence the next arming will get; entries armed from now on compare >= 0 to it. */
    int peekSeq() {
        return nextSeq;
    }

    /** Whether {@code timer} has an entry here. */
    static boolean contains(HeapTimer timer) {
        return timer.index != -1;
    }

    /**
     * Adds an entry armed now: to the nursery, or inside a batch straight to its place (a heap
     * entry appended unordered).
     */
    void add(HeapTimer timer, long key) {
        int seq = nextSeq++;
        if (batchFrom >= 0) {
            place(timer, key, seq);
            return;
        }
        if (nursery.isFull()) {
            nursery.drainTo(fromNursery);
        }
        nursery.add(timer, key, seq);
    }

    /** Starts a batch of {@link #add}s and {@link #decreaseKey}s; {@link #endBatch} orders it. */
    void beginBatch() {
        batchFrom = heap.size();
    }

    /** Restores heap order after a batch: one sift-up per new entry, or one O(n) rebuild. */
    void endBatch() {
        heap.restoreFrom(batchFrom);
        batchFrom = -1;
    }

    /** The entry's key, or for a wheel entry its bucket's start: never later than its key. */
    long keyOf(HeapTimer timer) {
        int i = timer.index;
        if (i >= 0) {
            return SortedRun.holds(i) ? run.key(timer) : Nursery.holds(i) ? nursery.key(timer) : heap.key(i);
        }
        return wheelOf(i).keyOf(timer);
    }

    /** The wheel that holds the entry at index code {@code i} ({@code <= -2}). */
    private FarWheel wheelOf(int i) {
        return FarWheel.isOuter(i) ? outer : inner;
    }

    /** Moves the entry to an earlier key, re-armed now (a new sequence). */
    void decreaseKey(HeapTimer timer, long key) {
        int i = timer.index;
        if (Nursery.holds(i)) {
            nursery.rekey(timer, key, nextSeq++);
        } else if (SortedRun.holds(i)) {
            run.remove(timer);
            add(timer, key);
        } else if (i < 0) {
            wheelOf(i).remove(timer);
            add(timer, key);
        } else if (batchFrom >= 0 && i >= batchFrom) {
            heap.rekeyUnordered(i, key, nextSeq++); // appended in this batch, not sifted yet
        } else {
            heap.decreaseKey(i, key, nextSeq++);
        }
    }

    /**
     * Re-arms the entry now, keeping its key: a lazy re-arm to a later deadline, {@code when}. Its
     * new sequence orders it after every entry armed before, at an equal deadline. Not inside a
     * batch.
     */
    void touch(HeapTimer timer, long when) {
        int i = timer.index;
        if (Nursery.holds(i)) {
            nursery.setSeq(timer, nextSeq++);
        } else if (SortedRun.holds(i)) {
            if (run.trySetSeq(timer, nextSeq)) {
                nextSeq++;
            } else {
                run.remove(timer);
                add(timer, when); // eagerly at its deadline, armed now: what the lazy way defers
            }
        } else if (i < 0) {
            wheelOf(i).setSeq(timer, nextSeq++); // O(1): the bucket is not ordered
        } else {
            heap.touch(i, nextSeq++);
        }
    }

    /** Removes the entry; the timer's index becomes -1. Not inside a batch. */
    void remove(HeapTimer timer) {
        int i = timer.index;
        if (Nursery.holds(i)) {
            nursery.remove(timer); // armed since the last pass: the cheap, common case
        } else if (SortedRun.holds(i)) {
            run.remove(timer);
        } else if (i < 0) {
            wheelOf(i).remove(timer);
        } else {
            heap.removeAt(i);
        }
    }

    // ------------------------------------------------------------------------------------------
    // The top: the earliest entry of heap and wheels together
    // ------------------------------------------------------------------------------------------

    /**
     * The earliest key, or {@link #EMPTY}; places the nursery's entries and cascades wheel buckets
     * first if they may hold it. {@link #top} and its kin then read it.
     */
    long topKey() {
        long top = settledTop();
        if (nursery.size() > 0 && nursery.min() <= top) {
            nursery.drainTo(fromNursery);
            top = settledTop();
        }
        topInRun = runFirst();
        return top;
    }

    /**
     * No later than the earliest key, and exact once {@link #topKey} found the nursery later than
     * the rest: for a published hint, without placing the nursery's entries.
     */
    long earliestBound() {
        return Math.min(settledTop(), nursery.min());
    }

    /** The earliest key outside the nursery, cascading wheel buckets first if they may hold it. */
    private long settledTop() {
        long start = Math.min(inner.firstStart(), outer.firstStart());
        if (start != Long.MAX_VALUE && nearKey() >= start) {
            settle();
        }
        return nearKey();
    }

    /** The earliest key of the heap and the run, or {@link #EMPTY}. */
    private long nearKey() {
        return Math.min(heap.size() == 0 ? EMPTY : heap.key(0), run.headKey());
    }

    /** Whether the run's head orders before the heap's top: the run holds the earliest near entry. */
    private boolean runFirst() {
        if (run.size() == 0) {
            return false;
        }
        if (heap.size() == 0) {
            return true;
        }
        long r = run.headKey();
        long h = heap.key(0);
        return r < h || (r == h && run.headSeq() - heap.seq(0) < 0);
    }

    /** The earliest entry's timer; {@link #topKey} must have answered non-empty just before. */
    HeapTimer top() {
        return topInRun ? run.head() : heap.timer(0);
    }

    /** The earliest entry's sequence; as {@link #top}. */
    int topSeq() {
        return topInRun ? run.headSeq() : heap.seq(0);
    }

    /** Removes the earliest entry; as {@link #top}. */
    void removeTop() {
        if (topInRun) {
            run.removeHead();
        } else {
            heap.removeAt(0);
        }
    }

    /**
     * Gives the earliest entry a later key: back into a wheel if the key is in a span, else to the
     * run's end if it is near and orders after it, else down the heap. As {@link #top}.
     *
     * @param rearmed true for a new arming (a ticker's next tick), false to keep its sequence (a
     *     lazy re-arm whose sequence {@link #touch} already set)
     */
    void moveTopDown(long key, boolean rearmed) {
        int seq = rearmed ? nextSeq++ : topSeq();
        if (topInRun) {
            place(run.removeHead(), key, seq);
        } else if (inner.spans(key) || (key >= inner.horizon() && outer.spans(key))) {
            place(heap.removeAt(0), key, seq);
        } else if (inner.reached(key) && run.accepts(key, seq)) { // a ticker or re-armed timeout
            run.offer(heap.removeAt(0), key, seq);
        } else {
            heap.moveTopDown(key, seq);
        }
    }

    /**
     * Owner, at the start of a pass at {@code now}: moves every bucket that starts by then toward
     * the heap, moves the wheels' floors to now's buckets, then moves up to {@link #OUTER_BUDGET}
     * outer entries whose bucket the inner span now covers. Not inside a batch.
     */
    void advanceTo(long now) {
        nursery.drainTo(fromNursery); // what survived since the last pass takes its place
        // One loop for both levels: a bucket moved from one may put entries into a bucket of the
        // other that starts by now too (the inner span is reckoned from the last pass's floor),
        // and no bucket that starts by now may be left behind a floor.
        for (; ; ) {
            if (outer.firstStart() <= now) {
                outer.drainFirst(Integer.MAX_VALUE, fromOuter);
            } else if (inner.firstStart() <= now) {
                cascadeInner();
            } else {
                break;
            }
        }
        inner.advanceFloor(now);
        outer.advanceFloor(now);
        for (int budget = OUTER_BUDGET; budget > 0 && outer.firstEnd() <= inner.horizon(); ) {
            budget -= outer.drainFirst(budget, fromOuter);
        }
    }

    /**
     * Cascades wheel buckets until the near top is earlier than every wheel entry: an outer
     * bucket first when it starts no later than the inner's first. Never inside a batch: the heap
     * must be in order to read its top.
     */
    private void settle() {
        for (; ; ) {
            long top = nearKey();
            long near = inner.firstStart();
            long far = outer.firstStart();
            if (far != Long.MAX_VALUE && far <= top && far <= near) {
                outer.drainFirst(Integer.MAX_VALUE, fromOuter);
            } else if (near != Long.MAX_VALUE && near <= top) {
                cascadeInner();
            } else {
                return;
            }
        }
    }

    /** Moves the inner wheel's first bucket into the heap, or on to later buckets. */
    private void cascadeInner() {
        FarWheel.Bucket bucket = inner.takeFirst();
        long number = bucket.number;
        int from = heap.size();
        for (int i = 0; i < bucket.size; i++) {
            HeapTimer t = bucket.timers[i];
            // Keyed by the deadline now in the word: a later re-arm made while it waited moves it
            // on to a later bucket, and the key is never later than the deadline.
            long key = HeapTimer.when(t.word());
            int seq = bucket.seqs[i];
            if (inner.bucketOf(key) <= number) {
                // Due within this bucket: in the run it keeps later arrivals out for one bucket's
                // width at most.
                if (!run.offer(t, key, seq)) {
                    heap.append(t, key, seq);
                }
            } else if (!toWheels(t, key, seq)) {
                heap.append(t, key, seq);
            }
        }
        lastCascade = bucket.size;
        inner.recycle(bucket);
        heap.restoreFrom(from);
    }

    /**
     * An entry that left outer bucket {@code from}: into the inner wheel, on to a later outer
     * bucket if it was re-armed that far, else into the heap. The heap is in order here.
     */
    private void placeFromOuter(HeapTimer t, int seq, long from) {
        long key = HeapTimer.when(t.word()); // the current deadline, as in cascadeInner
        if (!inner.tryAdd(t, key, seq)
                && (outer.bucketOf(key) <= from || key < inner.horizon() || !outer.tryAdd(t, key, seq))) {
            heap.add(t, key, seq);
        }
    }

    /**
     * The run, if the entry orders after its last and is due within the last pass's bucket. A
     * later entry, or one the wheels refused, would keep every nearer arrival out of the run
     * until it left.
     */
    private boolean toRun(HeapTimer t, long key, int seq) {
        return inner.reached(key) && run.offer(t, key, seq);
    }

    /** The inner wheel if it spans the key, else the outer if it does; false if neither took it. */
    private boolean toWheels(HeapTimer t, long key, int seq) {
        return inner.tryAdd(t, key, seq) || (key >= inner.horizon() && outer.tryAdd(t, key, seq));
    }

    private void place(HeapTimer timer, long key, int seq) {
        // A bucket that starts by the near top would be cascaded at the next look at the top:
        // such an entry goes to the run or the heap at once.
        long top = nearKey();
        boolean far = top == EMPTY || inner.bucketStart(key) > top;
        if ((!far || !toWheels(timer, key, seq)) && !toRun(timer, key, seq)) {
            if (batchFrom >= 0) {
                heap.append(timer, key, seq);
            } else {
                heap.add(timer, key, seq);
            }
        }
    }

    // ------------------------------------------------------------------------------------------
    // Whole-queue operations
    // ------------------------------------------------------------------------------------------

    /**
     * Drops the entries the sweeper rejects and re-keys the heap's, the way Go's
     * {@code clearDeletedTimers} does, then trims heap and wheels to twice their live count. O(n).
     * Dropped timers get {@code index == -1}.
     */
    void sweep(Sweeper sweeper) {
        nursery.drainTo(fromNursery);
        heap.sweep(sweeper);
        int from = heap.size();
        run.sweep(sweeper, heap);
        heap.restoreFrom(from);
        heap.trimCapacity(2);
        inner.sweep(sweeper);
        outer.sweep(sweeper);
    }

    /**
     * Shrinks the heap's arrays when they are more than four times too big for what they hold or
     * for the last cascade; every pass. Without the second, a heap that empties between cascades
     * would shrink and grow again for every bucket (seen as ~65 B/op of garbage at 1M timers).
     */
    void trimCapacity() {
        if (heap.size() < lastCascade) {
            heap.trimCapacity(4, lastCascade);
        } else {
            heap.trimCapacity(4);
        }
        run.trimCapacity(4);
    }

    /** Drops every entry, setting each timer's index to -1, and returns them for disarming. */
    List<HeapTimer> clear() {
        List<HeapTimer> all = new ArrayList<>(size());
        nursery.clear(all);
        heap.clear(all);
        run.clear(all);
        inner.clear(all);
        outer.clear(all);
        return all;
    }
}
