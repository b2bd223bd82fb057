package org.looptimer.netty;

import static org.junit.jupiter.api.Assertions.fail;

import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.SingleThreadEventExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Test helpers for real loops: bounded polling, never a verdict from a sleep. */
final class Loops {

    static final long BOUND_NANOS = TimeUnit.SECONDS.toNanos(10);

    private Loops() {}

    /** Polls {@code condition} for up to 10 s. */
    static void await(String what, BooleanSupplier condition) {
        long end = System.nanoTime() + BOUND_NANOS;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                fail("not within 10 s: " + what);
            }
            sleepMillis(1);
        }
    }

    /**
     * Waits until the loop's thread is blocked inside its I/O poll (a native call or a park under
     * {@code runIo}), seen twice 20 ms apart. Used to set up "the loop is asleep" before counting
     * wake-ups; it only settles the scene, the counts are the verdict.
     */
    static void awaitBlockedInPoll(SingleThreadEventExecutor loop) {
        await("loop blocked in its poll", () -> blockedInPoll(loop) && sleepMillis(20) && blockedInPoll(loop));
    }

    private static boolean blockedInPoll(SingleThreadEventExecutor loop) {
        StackTraceElement[] stack = loop.threadProperties().stackTrace();
        if (stack.length == 0) {
            return false;
        }
        boolean blocked = stack[0].isNativeMethod() || stack[0].getMethodName().startsWith("park");
        boolean inPoll = false;
        for (StackTraceElement frame : stack) {
            if (frame.getMethodName().equals("runIo")) {
                inPoll = true;
                break;
            }
        }
        return blocked && inPoll;
    }

    static boolean sleepMillis(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        return true;
    }

    static void shutdown(EventExecutorGroup group) {
        if (group != null) {
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
