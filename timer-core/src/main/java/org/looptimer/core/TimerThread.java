package org.looptimer.core;

import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A standalone driver: a daemon thread that owns a {@link TimerHeap} and parks until its next
 * deadline, so the engine is usable without Netty.
 *
 * <pre>{@code
 * try (TimerThread thread = new TimerThread("timers")) {
 *     Timers timers = thread.timers();
 *     TimerHandle t = timers.schedule(() -> System.out.println("tick"), 1, TimeUnit.SECONDS);
 *     ...
 * }
 * }</pre>
 *
 * <p>Its loop is the protocol every owner follows: {@link TimerHeap#beforePoll()} (drain, publish,
 * drain what came before the publish), park until the deadline, {@link TimerHeap#afterPoll()}, {@link TimerHeap#runDue}.
 * Foreign schedules wake it with {@link LockSupport#unpark}, whose permit is sticky, so one that
 * lands between {@code beforePoll()} and the park makes the park return at once.
 *
 * <p>Threads: {@link #timers()}, {@link #isAlive()} and {@link #close()} from any thread. Callbacks
 * run on this thread, which alone drives the heap: nothing public leads to it.
 */
public final class TimerThread implements AutoCloseable {

    private final Thread thread;
    private final TimerHeap heap;
    private final Clock clock;
    private volatile boolean running = true;

    /** Starts a timer thread with the system clock. */
    public TimerThread(String name) {
        this(name, TimerHeap.builder());
    }

    /**
     * Starts a timer thread whose heap is built from {@code builder}; the builder's waker and
     * owner check are replaced by this thread's.
     */
    public TimerThread(String name, TimerHeap.Builder builder) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(builder, "builder");
        this.thread = new Thread(this::loop, name);
        this.thread.setDaemon(true);
        Thread owner = this.thread;
        this.heap = builder.waker(() -> LockSupport.unpark(owner))
                .ownerCheck(() -> Thread.currentThread() == owner)
                .build();
        this.clock = builder.clock();
        this.thread.start();
    }

    /** The timers of the heap this thread owns. Schedule on them from any thread. */
    public Timers timers() {
        return heap.timers();
    }

    /** Whether the thread is still running. */
    public boolean isAlive() {
        return thread.isAlive();
    }

    private void loop() {
        try {
            while (running) {
                long deadline = heap.beforePoll();
                if (!running) {
                    break;
                }
                if (deadline == Long.MAX_VALUE) {
                    LockSupport.park(this);
                } else {
                    long wait = deadline - clock.nanoTime(); // difference: safe across a wrap
                    if (wait > 0) {
                        LockSupport.parkNanos(this, wait);
                    }
                }
                heap.afterPoll();
                heap.runDue(clock.nanoTime());
            }
        } finally {
            heap.close();
        }
    }

    /**
     * Stops the thread: pending timers are stopped and never run, later schedules are rejected.
     * Waits for the thread to end unless called from a timer callback. Idempotent.
     */
    @Override
    public void close() {
        running = false;
        LockSupport.unpark(thread);
        if (Thread.currentThread() != thread) {
            boolean interrupted = false;
            while (thread.isAlive()) {
                try {
                    thread.join(TimeUnit.SECONDS.toMillis(10));
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        return "TimerThread[" + thread.getName() + ", " + heap.stats() + "]";
    }
}
