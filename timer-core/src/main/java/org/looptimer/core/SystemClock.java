package org.looptimer.core;

/** {@link Clock#system()}: {@link System#nanoTime()}, stateless and safe from any thread. */
enum SystemClock implements Clock {
    INSTANCE;

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public String toString() {
        return "Clock.system()";
    }
}
