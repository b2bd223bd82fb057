package org.looptimer.netty.handler;

import java.util.concurrent.TimeUnit;

/**
 * The user event {@link HeartbeatHandler} fires just before it closes a channel whose peer has
 * sent nothing for the configured number of heartbeat intervals. Handlers after the
 * {@link HeartbeatHandler} see it in {@code userEventTriggered}, with the channel still open, and
 * may log it or write a last message; the channel is closed right after the event returns.
 *
 * <pre>{@code
 * public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
 *     if (evt instanceof HeartbeatTimeoutEvent timeout) {
 *         log.info("{}: peer silent for {} ms, closing", ctx.channel(), timeout.inboundIdleMillis());
 *     }
 *     ctx.fireUserEventTriggered(evt);
 * }
 * }</pre>
 *
 * <p>Immutable; any thread.
 */
public final class HeartbeatTimeoutEvent {

    private final long inboundIdleNanos;
    private final int missedIntervals;

    /**
     * @param inboundIdleNanos how long the peer had sent nothing when the handler gave up
     * @param missedIntervals the configured number of silent intervals that closes a channel
     */
    public HeartbeatTimeoutEvent(long inboundIdleNanos, int missedIntervals) {
        this.inboundIdleNanos = inboundIdleNanos;
        this.missedIntervals = missedIntervals;
    }

    /** How long, in nanoseconds, the peer had sent nothing. */
    public long inboundIdleNanos() {
        return inboundIdleNanos;
    }

    /** How long, in milliseconds, the peer had sent nothing. */
    public long inboundIdleMillis() {
        return TimeUnit.NANOSECONDS.toMillis(inboundIdleNanos);
    }

    /** The configured number of silent intervals after which the channel is closed. */
    public int missedIntervals() {
        return missedIntervals;
    }

    @Override
    public String toString() {
        return "HeartbeatTimeoutEvent[inbound idle " + inboundIdleMillis() + " ms, " + missedIntervals
                + " intervals missed]";
    }
}
