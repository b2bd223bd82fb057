package org.looptimer.core;

import java.util.concurrent.atomic.AtomicInteger;

/** Test helper: a {@link Waker} that only counts how often it was asked to wake the owner. */
final class CountingWaker implements Waker {

    private final AtomicInteger wakeups = new AtomicInteger();

    @Override
    public void wakeup() {
        wakeups.incrementAndGet();
    }

    int count() {
        return wakeups.get();
    }
}
