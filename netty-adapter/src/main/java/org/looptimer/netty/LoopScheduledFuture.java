package org.looptimer.netty;

import io.netty.util.concurrent.DefaultPromise;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GenericFutureListener;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.looptimer.core.AbstractTimer;
import org.looptimer.core.Deadlines;

/**
 * The {@link ScheduledFuture} of a task scheduled through {@link TimerEventLoop}'s Netty
 * {@code schedule*} methods: one object that is both the future and the timer in the loop's heap
 * (an {@link AbstractTimer}), 40 bytes for a one-shot task plus its 16-byte heap slot.
 *
 * <pre>{@code
 * ScheduledFuture<?> timeout = ctx.executor().schedule(this::expire, 30, TimeUnit.SECONDS);
 * // on the reply:
 * timeout.cancel(false);      // from any thread; never wakes the loop, lets go of the task at once
 * }</pre>
 *
 * <p>It behaves as Netty's own {@code ScheduledFutureTask}: a one-shot task becomes uncancellable
 * when it starts, completes with its result (null for a {@link Runnable}) or fails with what it
 * threw; a periodic task runs until cancelled or until a run throws, which fails the future; fixed
 * rate re-arms to the previous deadline plus the period (a late run is followed by the runs it
 * missed, one per pass, as Netty's loop does), fixed delay re-arms one delay after the run ends.
 * Callers cannot complete it: the {@link Promise} setters refuse.
 *
 * <h2>The promise is built only when needed</h2>
 *
 * <p>Most scheduled tasks are cancelled or run with nobody waiting. So the outcome is one
 * {@link #state} field, and a Netty {@link DefaultPromise} (the {@link Companion}) is built only
 * when someone adds a listener, awaits, syncs or blocks in {@code get}. The companion starts as a
 * copy of the state and from then on is the state: every later transition goes through it.
 *
 * <pre>
 *   null        pending (or, periodic, between runs and running); cancellable
 *   RUNNING     a one-shot task is running; uncancellable
 *   SUCCESS     completed with null; a task's non-null result is stored as itself
 *   Failure     failed with a cause
 *   CANCELLED   cancelled
 *   Companion   the promise holds the state from now on
 * </pre>
 *
 * Transitions are CASes on {@link #state}: null to RUNNING (the loop starts a one-shot), RUNNING or
 * null to an outcome (the loop completes it), null to CANCELLED (cancel, any thread), and any
 * state to a Companion that mirrors it (any thread). Whoever loses a CAS to a Companion retries
 * through the Companion, whose own CASes decide. Listeners receive this future, never the
 * companion, and run on the loop.
 *
 * <h2>The task is let go at once</h2>
 *
 * <p>A cancelled future, a completed one and a failed one drop their task (as Netty's
 * {@code PromiseTask} and the JDK's {@code FutureTask} do), although the stopped timer's heap entry
 * may wait in the heap until the loop drops or sweeps it: cancel from another thread is lazy.
 *
 * <p>Threads: {@link #run()} and {@link #disarmedByClose()} on the loop only (the heap calls
 * them); everything else, any thread. A {@link #cancel} from another thread is one CAS on the state
 * and one on the timer: it never wakes the loop. The object is also a
 * {@link org.looptimer.core.TimerHandle}: a {@code stop()} through that face cancels the future, and
 * a re-arm only moves when it runs; neither can reach the loop's heap.
 */
abstract class LoopScheduledFuture<V> extends AbstractTimer implements ScheduledFuture<V>, Promise<V> {

    private static final InternalLogger logger = InternalLoggerFactory.getInstance(LoopScheduledFuture.class);

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(LoopScheduledFuture.class, "state", Object.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final Marker RUNNING = new Marker("running");
    private static final Marker SUCCESS = new Marker("success");
    private static final Marker CANCELLED = new Marker("cancelled");

    final TimerEventLoop loop;

    /** See the class comment. Volatile reads, CAS writes: the loop and any canceller race on it. */
    private volatile Object state;

    /**
     * Armed at {@code deadlineNanos} already when made on the loop (see {@link AbstractTimer}'s
     * constructor); elsewhere IDLE, for {@link TimerEventLoop} to arm. Nothing here may throw
     * after {@code super}: the loop's heap may hold this future by then.
     */
    LoopScheduledFuture(TimerEventLoop loop, Object task, long deadlineNanos) {
        super(loop.timers(), task, deadlineNanos);
        this.loop = loop;
    }

    /** A one-shot {@link Runnable}: completes with null. */
    static final class OfRunnable extends LoopScheduledFuture<Void> {
        OfRunnable(TimerEventLoop loop, Runnable task, long deadlineNanos) {
            super(loop, task, deadlineNanos);
        }

        @Override
        Void call(Object task) {
            ((Runnable) task).run();
            return null;
        }
    }

    /** A one-shot {@link Callable}: completes with its result. */
    static final class OfCallable<V> extends LoopScheduledFuture<V> {
        OfCallable(TimerEventLoop loop, Callable<V> task, long deadlineNanos) {
            super(loop, task, deadlineNanos);
        }

        @Override
        @SuppressWarnings("unchecked")
        V call(Object task) throws Exception {
            return ((Callable<V>) task).call();
        }
    }

    /** A periodic {@link Runnable}: fixed rate or fixed delay. */
    static final class Periodic extends LoopScheduledFuture<Void> {
        /** &gt; 0: fixed rate; &lt; 0: fixed delay, negated (as Netty's ScheduledFutureTask). */
        private final long periodNanos;
        /**
         * The deadline of the next run, ticker domain, exact: the heap may place a deadline already
         * past at its pass's time, but fixed rate counts from the deadline itself. Volatile: the
         * loop writes it before each re-arm, {@link #getDelay} reads it on any thread.
         */
        private volatile long nextRunNanos;

        Periodic(TimerEventLoop loop, Runnable task, long firstRunNanos, long periodNanos) {
            super(loop, task, firstRunNanos);
            this.periodNanos = periodNanos;
            this.nextRunNanos = firstRunNanos;
        }

        @Override
        Void call(Object task) {
            ((Runnable) task).run();
            return null;
        }

        @Override
        long scheduledDeadlineNanos() {
            return nextRunNanos;
        }

        /** Loop: runs the task unless done, then re-arms it; a throw fails the future. */
        @Override
        protected void run() {
            if (isDone()) {
                return; // cancelled while its last re-arm was in flight
            }
            Object task = task();
            if (task == null) {
                return; // cancelled since the check above
            }
            try {
                call(task);
            } catch (Throwable failure) {
                finish(null, null, failure); // JDK contract: a failed run suppresses all later runs
                return;
            }
            if (!isDone()) {
                rearm();
            }
        }

        private void rearm() {
            // Fixed rate: one period after the last deadline, no clock read. Fixed delay: one delay
            // after this run ended, from a ticker reading taken now.
            long next = periodNanos > 0
                    ? Deadlines.after(nextRunNanos, periodNanos)
                    : Deadlines.after(loop.ticker().nanoTime(), -periodNanos);
            nextRunNanos = next;
            try {
                resetAt(next);
            } catch (RejectedExecutionException closedOrFull) {
                cancel(false);
                return;
            }
            // A cancel from another thread during the run found the timer idle and could not stop
            // it. Its CAS on the state and our CAS on the word (resetAt) come before each side's
            // read of the other, so one of the two sees the other.
            if (isCancelled()) {
                stop();
            }
        }

        @Override
        StringBuilder describe() {
            return super.describe().append(", period: ").append(periodNanos);
        }
    }

    /** Runs the task and returns its result. Loop thread. */
    abstract V call(Object task) throws Exception;

    /** The deadline of the next run, in the loop ticker's domain, as Netty's ScheduledFutureTask. */
    long scheduledDeadlineNanos() {
        return deadlineNanos();
    }

    // ------------------------------------------------------------------------------------------
    // The timer callback: loop thread only
    // ------------------------------------------------------------------------------------------

    /** A one-shot task is due: runs it unless cancelled, and completes the future. */
    @Override
    protected void run() {
        if (!startRun()) {
            return;
        }
        // Not null: only a completion or a cancel drops it, and startRun() has excluded both.
        Object task = task();
        V value;
        try {
            value = call(task);
        } catch (Throwable failure) {
            finish(RUNNING, null, failure);
            return;
        }
        finish(RUNNING, value, null);
    }

    /** The heap closed while this was pending (the loop shuts down): it completes as cancelled. */
    @Override
    protected void disarmedByClose() {
        cancel(false);
    }

    /**
     * Someone stopped this through its {@link org.looptimer.core.TimerHandle} face, not through
     * {@link #cancel}: the task will not run, so the future completes as cancelled rather than stay
     * pending forever. (Our own cancel lands here too, and finds the future already cancelled.)
     */
    @Override
    protected void stopped() {
        cancel(false);
    }

    /** Makes a one-shot task uncancellable as it starts; false if it was cancelled first. */
    private boolean startRun() {
        for (; ; ) {
            Object s = state;
            if (s == null) {
                if (STATE.compareAndSet(this, null, RUNNING)) {
                    return true;
                }
            } else if (s instanceof Companion<?> c) {
                return c.setUncancellable();
            } else {
                return false; // cancelled
            }
        }
    }

    /**
     * Completes the future from {@code expected} (RUNNING for a one-shot, null for a periodic
     * task), through the companion if there is one by now; does nothing if it was cancelled.
     */
    final void finish(Object expected, V value, Throwable cause) {
        // Before the outcome is published: whoever sees this future done finds its task gone.
        dropTask();
        Object outcome = cause != null ? new Failure(cause) : value == null ? SUCCESS : value;
        for (; ; ) {
            Object s = state;
            if (s instanceof Companion<?> c) {
                @SuppressWarnings("unchecked")
                Companion<V> promise = (Companion<V>) c;
                boolean unused = cause != null ? promise.tryFailure(cause) : promise.trySuccess(value);
                return;
            }
            if (s != expected) {
                return; // cancelled first
            }
            if (STATE.compareAndSet(this, expected, outcome)) {
                return;
            }
        }
    }

    /** The scheduling thread: the heap refused the timer (closed or full); the future fails. */
    void rejected(RejectedExecutionException cause) {
        finish(null, null, cause);
    }

    // ------------------------------------------------------------------------------------------
    // Future: any thread
    // ------------------------------------------------------------------------------------------

    /**
     * Cancels the task if it has not started (one-shot) or has not failed (periodic), and lets go
     * of it. The timer is stopped lazily: from another thread this is a CAS and never wakes the loop.
     */
    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        for (; ; ) {
            Object s = state;
            if (s == null) {
                if (STATE.compareAndSet(this, null, CANCELLED)) {
                    break;
                }
            } else if (s instanceof Companion<?> c) {
                if (!c.cancel(mayInterruptIfRunning)) {
                    return false;
                }
                break;
            } else {
                return false;
            }
        }
        dropTask(); // after the CAS that decided: a racing run has lost and never reads it again
        stop();
        return true;
    }

    @Override
    public boolean isCancelled() {
        Object s = state;
        return s == CANCELLED || (s instanceof Companion<?> c && c.isCancelled());
    }

    @Override
    public boolean isDone() {
        Object s = state;
        if (s instanceof Companion<?> c) {
            return c.isDone();
        }
        return s != null && s != RUNNING;
    }

    @Override
    public boolean isSuccess() {
        Object s = state;
        if (s instanceof Companion<?> c) {
            return c.isSuccess();
        }
        return s == SUCCESS || isValue(s);
    }

    @Override
    public boolean isCancellable() {
        Object s = state;
        return s == null || (s instanceof Companion<?> c && c.isCancellable());
    }

    @Override
    public Throwable cause() {
        Object s = state;
        if (s instanceof Failure f) {
            return f.cause;
        }
        if (s == CANCELLED || s instanceof Companion<?>) {
            return companion().cause(); // one CancellationException, the same on every call
        }
        return null;
    }

    @Override
    @SuppressWarnings("unchecked")
    public V getNow() {
        Object s = state;
        if (s instanceof Companion<?> c) {
            return (V) c.getNow();
        }
        return isValue(s) ? (V) s : null;
    }

    @Override
    @SuppressWarnings("unchecked")
    public V get() throws InterruptedException, ExecutionException {
        Object s = state;
        if (s == SUCCESS) {
            return null;
        }
        return isValue(s) ? (V) s : companion().get();
    }

    @Override
    @SuppressWarnings("unchecked")
    public V get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        Object s = state;
        if (s == SUCCESS) {
            return null;
        }
        return isValue(s) ? (V) s : companion().get(timeout, unit);
    }

    // The promise's own methods return the promise; this future returns itself instead.
    @SuppressWarnings("FutureReturnValueIgnored")
    @Override
    public Promise<V> await() throws InterruptedException {
        if (!isDone()) {
            companion().await();
        }
        return this;
    }

    @SuppressWarnings("FutureReturnValueIgnored")
    @Override
    public Promise<V> awaitUninterruptibly() {
        if (!isDone()) {
            companion().awaitUninterruptibly();
        }
        return this;
    }

    @Override
    public boolean await(long timeout, TimeUnit unit) throws InterruptedException {
        return isDone() || companion().await(timeout, unit);
    }

    @Override
    public boolean await(long timeoutMillis) throws InterruptedException {
        return isDone() || companion().await(timeoutMillis);
    }

    @Override
    public boolean awaitUninterruptibly(long timeout, TimeUnit unit) {
        return isDone() || companion().awaitUninterruptibly(timeout, unit);
    }

    @Override
    public boolean awaitUninterruptibly(long timeoutMillis) {
        return isDone() || companion().awaitUninterruptibly(timeoutMillis);
    }

    @SuppressWarnings("FutureReturnValueIgnored")
    @Override
    public Promise<V> sync() throws InterruptedException {
        if (!isSuccess()) {
            companion().sync(); // waits, then rethrows the cause
        }
        return this;
    }

    @SuppressWarnings("FutureReturnValueIgnored")
    @Override
    public Promise<V> syncUninterruptibly() {
        if (!isSuccess()) {
            companion().syncUninterruptibly();
        }
        return this;
    }

    @Override
    public Promise<V> addListener(GenericFutureListener<? extends Future<? super V>> listener) {
        Objects.requireNonNull(listener, "listener");
        companion().addOuterListener(listener);
        return this;
    }

    @Override
    @SafeVarargs
    @SuppressWarnings("varargs")
    public final Promise<V> addListeners(GenericFutureListener<? extends Future<? super V>>... listeners) {
        Objects.requireNonNull(listeners, "listeners");
        Companion<V> promise = companion();
        for (GenericFutureListener<? extends Future<? super V>> listener : listeners) {
            if (listener == null) {
                break; // as Netty's DefaultPromise
            }
            promise.addOuterListener(listener);
        }
        return this;
    }

    @Override
    public Promise<V> removeListener(GenericFutureListener<? extends Future<? super V>> listener) {
        Objects.requireNonNull(listener, "listener");
        if (state instanceof Companion<?> c) {
            c.removeOuterListener(listener);
        }
        return this;
    }

    @Override
    @SafeVarargs
    @SuppressWarnings("varargs")
    public final Promise<V> removeListeners(GenericFutureListener<? extends Future<? super V>>... listeners) {
        Objects.requireNonNull(listeners, "listeners");
        for (GenericFutureListener<? extends Future<? super V>> listener : listeners) {
            if (listener == null) {
                break;
            }
            removeListener(listener);
        }
        return this;
    }

    @Override
    public long getDelay(TimeUnit unit) {
        long deadline = scheduledDeadlineNanos();
        long delay = deadline == Long.MAX_VALUE
                ? Long.MAX_VALUE
                : deadline - loop.ticker().nanoTime();
        return unit.convert(delay, TimeUnit.NANOSECONDS);
    }

    /** By deadline: earlier first. */
    @Override
    public int compareTo(Delayed o) {
        if (o == this) {
            return 0;
        }
        if (o instanceof LoopScheduledFuture<?> that) {
            return Long.compare(scheduledDeadlineNanos(), that.scheduledDeadlineNanos());
        }
        return Long.compare(getDelay(TimeUnit.NANOSECONDS), o.getDelay(TimeUnit.NANOSECONDS));
    }

    // The outcome belongs to the task, as with Netty's ScheduledFutureTask: callers cannot set it.

    @Override
    public Promise<V> setSuccess(V result) {
        throw new IllegalStateException("a scheduled task's future completes when the task runs");
    }

    @Override
    public boolean trySuccess(V result) {
        return false;
    }

    @Override
    public Promise<V> setFailure(Throwable cause) {
        throw new IllegalStateException("a scheduled task's future completes when the task runs", cause);
    }

    @Override
    public boolean tryFailure(Throwable cause) {
        return false;
    }

    @Override
    public boolean setUncancellable() {
        throw new IllegalStateException("a scheduled task stays cancellable until it runs");
    }

    @Override
    public String toString() {
        return describe().append(']').toString();
    }

    StringBuilder describe() {
        Object s = state;
        String outcome = s == null
                ? "pending"
                : s instanceof Marker m
                        ? m.name
                        : s instanceof Failure f
                                ? "failure: " + f.cause
                                : s instanceof Companion<?> c ? c.describe() : "success: " + s;
        return new StringBuilder("LoopScheduledFuture[")
                .append(outcome)
                .append(", deadline: ")
                .append(scheduledDeadlineNanos())
                .append(", task: ")
                .append(task());
    }

    // ------------------------------------------------------------------------------------------
    // The state's pieces
    // ------------------------------------------------------------------------------------------

    /** Whether {@code s} is a task's non-null result stored as itself. */
    private static boolean isValue(Object s) {
        return s != null && !(s instanceof Marker) && !(s instanceof Failure) && !(s instanceof Companion<?>);
    }

    /** The companion, built from the current state if there is none yet. Any thread. */
    @SuppressWarnings("unchecked")
    private Companion<V> companion() {
        for (; ; ) {
            Object s = state;
            if (s instanceof Companion<?> c) {
                return (Companion<V>) c;
            }
            Companion<V> promise = Companion.mirroring(loop, this, s);
            if (STATE.compareAndSet(this, s, promise)) {
                return promise;
            }
        }
    }

    /** A named state; private, so no task result can ever be mistaken for one. */
    private static final class Marker {
        final String name;

        Marker(String name) {
            this.name = name;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** A failed outcome; private, so no task result can ever be mistaken for one. */
    private static final class Failure {
        final Throwable cause;

        Failure(Throwable cause) {
            this.cause = cause;
        }
    }

    /**
     * The promise machinery of one future, built on demand: Netty's {@link DefaultPromise} for
     * waiting and for the outcome, and a list of this future's listeners, which it notifies with
     * the future itself (a {@code DefaultPromise} would pass itself). It is its own single
     * {@code DefaultPromise} listener, so Netty decides when and on which thread they run: on the
     * loop, with its stack-depth guard. A listener added once they have run is notified through
     * {@link DefaultPromise#notifyListener}, as a late listener of any Netty promise.
     *
     * <p>Threads: any. {@link #listeners} and {@link #notified} are guarded by this object's
     * monitor, as {@code DefaultPromise} guards its own listeners.
     */
    private static final class Companion<V> extends DefaultPromise<V> implements GenericFutureListener<Future<V>> {

        private final LoopScheduledFuture<V> future;
        /** The future's listeners not yet notified; null when none. */
        private List<GenericFutureListener<? extends Future<? super V>>> listeners;
        /** The listeners have been notified; later ones are notified at once. */
        private boolean notified;

        private Companion(EventExecutor loop, LoopScheduledFuture<V> future) {
            super(loop);
            this.future = future;
        }

        /** A companion in the state {@code s} of {@code future}'s {@link #state}. */
        @SuppressWarnings("unchecked")
        static <V> Companion<V> mirroring(EventExecutor loop, LoopScheduledFuture<V> future, Object s) {
            Companion<V> c = new Companion<>(loop, future);
            boolean unused;
            if (s == RUNNING) {
                unused = c.setUncancellable();
            } else if (s == CANCELLED) {
                unused = c.cancel(false);
            } else if (s instanceof Failure f) {
                unused = c.tryFailure(f.cause);
            } else if (s == SUCCESS) {
                unused = c.trySuccess(null);
            } else if (s != null) {
                unused = c.trySuccess((V) s);
            }
            if (c.isDone()) {
                c.notified = true; // no listener yet, and none to wait for
            } else {
                c.addListener(c);
            }
            return c;
        }

        void addOuterListener(GenericFutureListener<? extends Future<? super V>> listener) {
            synchronized (this) {
                if (!notified) {
                    if (listeners == null) {
                        listeners = new ArrayList<>(2);
                    }
                    listeners.add(listener);
                    return;
                }
            }
            notifyListener(executor(), future, listener);
        }

        synchronized void removeOuterListener(GenericFutureListener<?> listener) {
            if (listeners != null) {
                listeners.remove(listener);
            }
        }

        /**
         * Netty calls this on the loop once the companion completes. Listeners added while these
         * run join the next batch, so they run in the order they were added, as Netty's do.
         */
        @Override
        public void operationComplete(Future<V> self) {
            for (; ; ) {
                List<GenericFutureListener<? extends Future<? super V>>> batch;
                synchronized (this) {
                    batch = listeners;
                    listeners = null;
                    if (batch == null) {
                        notified = true;
                        return;
                    }
                }
                for (GenericFutureListener<? extends Future<? super V>> listener : batch) {
                    notifyNow(listener);
                }
            }
        }

        @SuppressWarnings({"unchecked", "rawtypes"})
        private void notifyNow(GenericFutureListener listener) {
            try {
                listener.operationComplete(future);
            } catch (Throwable t) {
                if (logger.isWarnEnabled()) {
                    logger.warn(
                            "An exception was thrown by " + listener.getClass().getName() + ".operationComplete()", t);
                }
            }
        }

        String describe() {
            return isDone() ? (isSuccess() ? "success: " + getNow() : "failure: " + cause()) : "pending";
        }
    }
}
