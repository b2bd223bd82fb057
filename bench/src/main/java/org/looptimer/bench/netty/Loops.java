package org.looptimer.bench.netty;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.util.concurrent.TimeUnit;
import org.looptimer.netty.TimerEventLoopGroup;

/**
 * The two kinds of one-loop groups every Netty benchmark here compares, chosen by the
 * {@code impl} or {@code loop} {@code @Param}: {@value #NETTY} is stock
 * {@link MultiThreadIoEventLoopGroup} (Netty 4.2.18), {@value #LOOPTIMER} is
 * {@link TimerEventLoopGroup}. Both get the same {@link IoHandlerFactory}, so the transport is
 * the same on both sides.
 */
final class Loops {

    static final String NETTY = "netty";
    static final String LOOPTIMER = "looptimer";

    private Loops() {}

    /** A group of one loop of the named kind; {@code looptimer-heap} also means a looptimer group. */
    static MultiThreadIoEventLoopGroup newGroup(String kind, IoHandlerFactory factory) {
        if (kind.equals(NETTY)) {
            return new MultiThreadIoEventLoopGroup(1, factory);
        }
        if (kind.startsWith(LOOPTIMER)) {
            return new TimerEventLoopGroup(1, factory);
        }
        throw new IllegalArgumentException("unknown loop kind " + kind + "; expected " + NETTY + " or " + LOOPTIMER);
    }

    /** Shuts the group down without a quiet period, as trials end; null is ignored. */
    static void shutdown(MultiThreadIoEventLoopGroup group) {
        if (group != null) {
            group.shutdownGracefully(0, 10, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** Sleeps, for setup only (letting a loop settle into its poll); never part of a measurement. */
    static void settle(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while setting up", e);
        }
    }
}
