package org.looptimer.core;

import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Test helper: runs an action on a fresh thread that is not the heap's owner and waits for it, so
 * the verdict is taken after a join and the test stays deterministic.
 */
final class Foreign {

    private Foreign() {}

    /** Runs {@code action} on another thread and returns its result, or rethrows what it threw. */
    static <T> T call(Callable<T> action) {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread thread = new Thread(
                () -> {
                    try {
                        result.set(action.call());
                    } catch (Throwable t) {
                        failure.set(t);
                    }
                },
                "foreign");
        thread.start();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for the foreign thread", e);
        }
        Throwable t = failure.get();
        if (t instanceof RuntimeException re) {
            throw re;
        }
        if (t instanceof Error err) {
            throw err;
        }
        if (t != null) {
            throw new AssertionError(t);
        }
        return result.get();
    }

    static void run(Runnable action) {
        call(() -> {
            action.run();
            return null;
        });
    }

    /** Returns the exception {@code action} throws on a foreign thread, or null. */
    static Throwable failureOf(Runnable action) {
        try {
            run(action);
            return null;
        } catch (Throwable t) {
            return t;
        }
    }
}
