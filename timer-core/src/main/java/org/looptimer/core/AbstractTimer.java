package org.looptimer.core;

import java.util.Objects;

/**
 * A one-shot timer that is its own callback: extend it and an object of yours is the heap entry
 * itself, with no second object for the timer. An adapter uses it to make, say, a Netty
 * {@code ScheduledFuture} live in the heap at the cost of one object per timer.
 *
 * <pre>{@code
 * final class Reminder extends AbstractTimer {
 *     Reminder(Timers timers, Runnable action) {
 *         super(timers, action);
 *     }
 *
 *     @Override
 *     protected void run() {                       // the owner, when due
 *         Object action = task();                  // read once: another thread may drop it
 *         if (action != null) {
 *             ((Runnable) action).run();
 *         }
 *     }
 * }
 *
 * Reminder r = new Reminder(loopTimers, action);
 * r.resetAt(deadlineNanos);                        // arms it: IDLE to PENDING, any thread
 * r.stop();                                        // as any TimerHandle
 * }</pre>
 *
 * <p>A new instance is IDLE, unless the constructor that takes a deadline armed it on the heap's
 * owner thread; {@link #resetAt} or {@link #reset} arms it, exactly as they re-arm any
 * {@link TimerHandle} (a full or closed heap rejects the arming with a
 * {@link java.util.concurrent.RejectedExecutionException} and the timer stays IDLE). Its states
 * and transitions are {@link HeapTimer}'s, the constructor's arming among them; the heap calls
 * {@link #run()} where it would run a task. What the subclass gets is deliberately small: its
 * task slot ({@link #task()}, {@link #dropTask()}), the callback and the close notice. The timer's
 * word, its heap slot and the heap's driver stay out of reach, so a subclass can break itself but
 * never its heap.
 *
 * <p>Threads: {@link #run()} and {@link #disarmedByClose()} are called on the heap's owner
 * thread, {@link #stopped()} on the thread that stopped the timer; {@link #task()} and
 * {@link #dropTask()} may be called on any thread; the {@link TimerHandle} methods are safe from
 * any thread, as for every timer.
 *
 * <p>Footprint: {@link HeapTimer}'s 32 bytes, the task slot included, plus the subclass's fields.
 */
public abstract class AbstractTimer extends HeapTimer {

    /**
     * A new, IDLE timer of the heap behind {@code timers}, holding {@code task} for the subclass.
     *
     * @param timers a heap's {@link Timers}: {@link TimerHeap#timers()} or the heap itself
     * @param task what {@link #task()} returns until {@link #dropTask()}; may be null
     * @throws NullPointerException if {@code timers} is null
     * @throws IllegalArgumentException if {@code timers} does not come from a {@link TimerHeap}
     */
    protected AbstractTimer(Timers timers, Object task) {
        super(heapOf(timers), task, pack(0, IDLE));
    }

    /**
     * A new timer of the heap behind {@code timers}, armed at {@code deadlineNanos} right here
     * when that takes no atomic instruction: on the heap's owner thread, for a heap that is open
     * and has no {@code maxTimers} limit. Otherwise it is born IDLE, and {@link #resetAt} arms it
     * (or throws the heap's rejection); {@link #isPending()} tells which. An adapter's
     * {@code schedule} on the owner thread, the common case, then costs one CAS less.
     *
     * <pre>{@code
     * Reminder r = new Reminder(loopTimers, action, deadlineNanos);
     * if (!r.isPending()) {
     *     r.resetAt(deadlineNanos);                // another thread, or a limited heap
     * }
     * }</pre>
     *
     * <p>Armed here, the timer is already in the heap when this constructor returns: a subclass
     * constructor must not fail after it, or the heap would later run a half-built timer.
     *
     * @param timers a heap's {@link Timers}: {@link TimerHeap#timers()} or the heap itself
     * @param task what {@link #task()} returns until {@link #dropTask()}; may be null
     * @param deadlineNanos the deadline, in the heap clock's domain
     * @throws NullPointerException if {@code timers} is null
     * @throws IllegalArgumentException if {@code timers} does not come from a {@link TimerHeap}
     */
    // The heap sees this timer before a subclass constructor ends, by design: only the owner
    // thread reads the heap, and it is busy here until the constructor returns (see above).
    @SuppressWarnings("this-escape")
    protected AbstractTimer(Timers timers, Object task, long deadlineNanos) {
        this(timers, task);
        heap.armNew(this, deadlineNanos); // or left IDLE: see above
    }

    private static TimerHeap heapOf(Timers timers) {
        Objects.requireNonNull(timers, "timers");
        if (timers instanceof TimersView view) {
            return view.heap();
        }
        if (timers instanceof TimerHeap heap) {
            return heap;
        }
        throw new IllegalArgumentException("timers must come from a TimerHeap, was " + timers.getClass());
    }

    /**
     * The owner thread, when the timer is due: the heap has already retired it (PENDING to IDLE),
     * so a {@link #resetAt} from here arms it again. A throw is reported to the heap's
     * {@link TimerFailureHandler}, as any callback's.
     */
    protected abstract void run();

    /**
     * The owner thread, once, after the heap's {@link TimerHeap#close close} disarmed this timer
     * while it was pending: it will never run. Does nothing unless overridden.
     */
    protected void disarmedByClose() {}

    /**
     * The thread that called {@link #stop()}, after that call prevented a run: a subclass whose
     * own state says "pending" (a future, say) settles it here, so that stopping the object through
     * its {@link TimerHandle} face leaves it consistent. Does nothing unless overridden.
     */
    protected void stopped() {}

    /** The task given to the constructor, or null once {@link #dropTask()} ran. Any thread. */
    protected final Object task() {
        return task;
    }

    /**
     * Lets go of the task, so that a timer whose entry still waits in the heap (stopped lazily,
     * until the owner drops or sweeps it) pins nothing else. Any thread.
     */
    protected final void dropTask() {
        // Plain store: it only lets the garbage collector have the task, which a plain store
        // does at the next safepoint. Which thread still runs the task is decided by the
        // subclass's own state, never by this field; a reader must tolerate null.
        task = null;
    }

    @Override
    final void runTask() {
        run();
    }

    @Override
    final void stoppedByHandle() {
        stopped();
    }

    @Override
    final void disarmedByClose(java.util.function.Consumer<? super Runnable> disarmedTasks) {
        disarmedByClose();
    }
}
