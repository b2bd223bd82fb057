package org.looptimer.netty.handler;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.ReferenceCounted;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;
import org.looptimer.core.Deadlines;
import org.looptimer.netty.TimerEventLoop;

/**
 * Keeps a connection alive and detects a dead peer: it writes a ping when the channel has flushed
 * nothing for an interval, and closes the channel when the peer has sent nothing for a number of
 * intervals, firing a {@link HeartbeatTimeoutEvent} just before closing.
 *
 * <pre>{@code
 * ByteBuf ping = Unpooled.unreleasableBuffer(
 *         Unpooled.copiedBuffer("PING\n", StandardCharsets.US_ASCII)).asReadOnly();
 * HeartbeatHandler.Builder heartbeat = HeartbeatHandler.builder()
 *         .interval(15, TimeUnit.SECONDS)  // ping after 15 s without a flush
 *         .jitter(0.2)                      // ... or up to 3 s earlier, so pings do not align
 *         .closeAfterMissed(3)              // close after 45 s without inbound data
 *         .pingTemplate(ping);              // each ping is ping.retainedDuplicate()
 *
 * bootstrap.childHandler(new ChannelInitializer<Channel>() {
 *     protected void initChannel(Channel ch) {
 *         ch.pipeline().addLast(new LineBasedFrameDecoder(1024), heartbeat.build(), new MyHandler());
 *     }
 * });
 * }</pre>
 *
 * <h2>Behaviour</h2>
 * <ul>
 *   <li><b>Ping.</b> After {@code interval} without a {@code flush} passing through this handler,
 *       it writes and flushes one ping message from this handler's position in the pipeline
 *       (outbound handlers before it, such as encoders, see it). A ping counts as a flush.
 *   <li><b>Jitter.</b> With {@code jitter(j)}, each wait before a ping is drawn uniformly from
 *       {@code (interval * (1 - j), interval]}: pings only come earlier, never later, so the
 *       peer's own timeout budget is unchanged, and connections opened together drift apart
 *       instead of pinging in lock-step.
 *   <li><b>Slack.</b> With {@code slack(d)}, each check is rounded up to a grid of about {@code d}
 *       shared by every heartbeat with that slack ({@link Deadlines#coalesce}), so one wake-up of
 *       the loop serves all the heartbeats due within it: 100,000 heartbeats at a 30 s interval
 *       wake the loop about 120 times a second with 10 ms of slack, not 3,000. The jittered ping
 *       wait is shortened by the slack first, so a ping still comes no later than the interval;
 *       a dead peer is closed up to {@code d} late, never early. Jitter still spreads the
 *       heartbeats over the grid.
 *   <li><b>Dead peer.</b> After {@code closeAfterMissed(n)} intervals ({@code n * interval}, no
 *       jitter) without inbound data, and not in the middle of a read, it fires a
 *       {@link HeartbeatTimeoutEvent} to the handlers after it, then closes the channel.
 *       {@code n = 0} never closes. Inbound data means a {@code channelRead} followed by its
 *       {@code channelReadComplete}, whatever the message is, so the peer's pings and its
 *       ordinary traffic both count.
 * </ul>
 *
 * <p>One timer per channel serves both duties: it is armed for the earlier of the next ping and
 * the inbound deadline, and, like {@link IdleTimeoutHandler}, a read or flush only records the
 * time; the timer compares when it fires and re-arms for the remainder. On a
 * {@link TimerEventLoop} that timer is one reusable handle in the loop's heap; elsewhere (stock
 * loops, {@code EmbeddedChannel}) the same handle runs through {@code executor.schedule}. When the
 * channel is deregistered and registered on another loop, the timer follows it there.
 *
 * <p>Threads: the handler runs on its channel's executor; a {@link Builder} is for one thread at
 * a time, and each {@link Builder#build()} makes a handler for one channel (it is not
 * {@code @Sharable}).
 */
public final class HeartbeatHandler extends TimedChannelHandler {

    private final long intervalNanos;
    private final double jitter;
    private final long slackNanos;
    private final int missedIntervals;
    private final long inboundTimeoutNanos;
    private final Supplier<?> ping;
    private final DoubleSupplier jitterSource;
    private final HandlerTimer timer;

    // --- the channel's executor only ---
    private long lastFlushTime;
    private long lastReadTime;
    private boolean reading;
    /** The wait before the next ping, drawn with jitter after every ping. */
    private long pingWaitNanos;

    private HeartbeatHandler(Builder b) {
        super(b.scheduler);
        this.intervalNanos = b.intervalNanos;
        this.jitter = b.jitter;
        this.slackNanos = b.slackNanos;
        this.missedIntervals = b.missedIntervals;
        this.inboundTimeoutNanos = saturatedMultiply(b.intervalNanos, b.missedIntervals);
        this.ping = b.ping;
        this.jitterSource = b.jitterSource;
        this.timer = newTimer(this::timerFired);
    }

    /** A builder: set at least {@link Builder#interval} and a ping. */
    public static Builder builder() {
        return new Builder();
    }

    private static long saturatedMultiply(long a, int b) {
        long high = Math.multiplyHigh(a, b);
        long low = a * b;
        return high != 0 || low < 0 ? Long.MAX_VALUE : low;
    }

    /** The ping interval, in nanoseconds. Any thread. */
    public long intervalNanos() {
        return intervalNanos;
    }

    /** How long without inbound data closes the channel, in nanoseconds; 0 for never. Any thread. */
    public long inboundTimeoutNanos() {
        return inboundTimeoutNanos;
    }

    // ------------------------------------------------------------------------------------------
    // Start: the life cycle itself is TimedChannelHandler's
    // ------------------------------------------------------------------------------------------

    @Override
    void start(ChannelHandlerContext ctx) {
        long now = clock.nanoTime();
        lastFlushTime = lastReadTime = now;
        pingWaitNanos = drawPingWait();
        timer.armAt(nextCheck(now));
    }

    // ------------------------------------------------------------------------------------------
    // Activity: record the time only
    // ------------------------------------------------------------------------------------------

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        reading = true;
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        if (reading) {
            lastReadTime = clock.nanoTime();
            reading = false;
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void flush(ChannelHandlerContext ctx) throws Exception {
        lastFlushTime = clock.nanoTime();
        ctx.flush();
    }

    // ------------------------------------------------------------------------------------------
    // The timer
    // ------------------------------------------------------------------------------------------

    private void timerFired() {
        if (!isStarted() || !ctx.channel().isOpen()) {
            return;
        }
        long now = clock.nanoTime();
        if (inboundTimeoutNanos > 0 && !reading) {
            long silent = now - lastReadTime;
            if (silent >= inboundTimeoutNanos) {
                peerTimedOut(silent);
                return;
            }
        }
        if (now - lastFlushTime >= pingWaitNanos) {
            sendPing(now);
        }
        timer.armAt(nextCheck(now));
    }

    /**
     * The earlier of the next ping and the inbound deadline, from the activity times and
     * {@code now}, the reading the caller holds: no second clock read.
     */
    private long nextCheck(long now) {
        long pingAt = Deadlines.after(lastFlushTime, pingWaitNanos);
        if (inboundTimeoutNanos == 0) {
            return Deadlines.coalesce(pingAt, slackNanos);
        }
        long check = Math.min(pingAt, Deadlines.after(reading ? now : lastReadTime, inboundTimeoutNanos));
        return Deadlines.coalesce(check, slackNanos);
    }

    // The write takes a void promise: its failure reaches exceptionCaught, not a future.
    @SuppressWarnings("FutureReturnValueIgnored")
    private void sendPing(long now) {
        lastFlushTime = now;
        pingWaitNanos = drawPingWait();
        Object msg;
        try {
            msg = Objects.requireNonNull(ping.get(), "ping supplier returned null");
        } catch (Throwable t) {
            ctx.fireExceptionCaught(t);
            return;
        }
        // A void promise: no allocation per ping; a failed write reaches exceptionCaught.
        ctx.writeAndFlush(msg, ctx.voidPromise());
    }

    // Closing is the handler's last act on a dead peer: nothing here could act on its failure.
    @SuppressWarnings("FutureReturnValueIgnored")
    private void peerTimedOut(long silentNanos) {
        destroy();
        try {
            ctx.fireUserEventTriggered(new HeartbeatTimeoutEvent(silentNanos, missedIntervals));
        } finally {
            ctx.close();
        }
    }

    private long drawPingWait() {
        // Shortened by the slack that coalesce() may add back: a ping never comes after the interval.
        long wait = Math.max(1, intervalNanos - slackNanos);
        if (jitter == 0) {
            return wait;
        }
        // (wait * (1 - jitter), wait]: earlier, never later, than the interval.
        long cut = (long) (wait * jitter * jitterSource.getAsDouble());
        return Math.max(1, wait - cut);
    }

    /**
     * Configures {@link HeartbeatHandler}s. Set the interval and a ping ({@link #pingFactory} or
     * {@link #pingTemplate}); then {@link #build()} one handler per channel, typically in a
     * {@code ChannelInitializer}. One thread at a time.
     */
    public static final class Builder {
        private long intervalNanos;
        private double jitter;
        private long slackNanos;
        private int missedIntervals = 3;
        private Supplier<?> ping;
        private HandlerTimer.Scheduler scheduler = HandlerTimer.LOOP_TIMERS;
        private DoubleSupplier jitterSource = () -> ThreadLocalRandom.current().nextDouble();

        private Builder() {}

        /**
         * How long without a flush before a ping is written. Required.
         *
         * @throws IllegalArgumentException if {@code interval <= 0}
         */
        public Builder interval(long interval, TimeUnit unit) {
            Objects.requireNonNull(unit, "unit");
            if (interval <= 0) {
                throw new IllegalArgumentException("interval must be > 0, was " + interval + " " + unit);
            }
            this.intervalNanos = unit.toNanos(interval);
            return this;
        }

        /**
         * The fraction of the interval by which each ping may come early, drawn afresh for every
         * ping; default 0 (no jitter).
         *
         * @throws IllegalArgumentException unless {@code 0 <= jitter < 1}
         */
        public Builder jitter(double jitter) {
            if (!(jitter >= 0 && jitter < 1)) {
                throw new IllegalArgumentException("jitter must be in [0, 1), was " + jitter);
            }
            this.jitter = jitter;
            return this;
        }

        /**
         * How late each check may run so that the loop runs many heartbeats in one wake-up;
         * default 0. See the class comment; keep it well below the interval.
         *
         * <pre>{@code
         * HeartbeatHandler.builder().interval(30, SECONDS).jitter(0.2).slack(10, MILLISECONDS);
         * }</pre>
         *
         * @throws IllegalArgumentException if {@code slack < 0}
         */
        public Builder slack(long slack, TimeUnit unit) {
            Objects.requireNonNull(unit, "unit");
            if (slack < 0) {
                throw new IllegalArgumentException("slack must be >= 0, was " + slack + " " + unit);
            }
            this.slackNanos = unit.toNanos(slack);
            return this;
        }

        /**
         * How many intervals without inbound data close the channel; default 3; 0 never closes.
         *
         * @throws IllegalArgumentException if {@code intervals < 0}
         */
        public Builder closeAfterMissed(int intervals) {
            if (intervals < 0) {
                throw new IllegalArgumentException("intervals must be >= 0, was " + intervals);
            }
            this.missedIntervals = intervals;
            return this;
        }

        /**
         * Each ping is a fresh message from {@code factory}, called on the channel's executor; the
         * write takes ownership of it (and releases it if it is reference-counted).
         */
        public Builder pingFactory(Supplier<?> factory) {
            this.ping = Objects.requireNonNull(factory, "factory");
            return this;
        }

        /**
         * Each ping is {@code template} shared without copying: a {@link ByteBuf} or
         * {@link ByteBufHolder} as a {@code retainedDuplicate()} (own indexes, shared content, one
         * more reference that the write releases), any other {@link ReferenceCounted} retained
         * once per write, and any other object written as it is. The caller keeps its own
         * reference to a reference-counted template and must not release it while channels may
         * still ping; an {@code Unpooled.unreleasableBuffer(...)} never needs releasing.
         */
        public Builder pingTemplate(Object template) {
            Objects.requireNonNull(template, "template");
            if (template instanceof ByteBuf buf) {
                this.ping = buf::retainedDuplicate;
            } else if (template instanceof ByteBufHolder holder) {
                this.ping = holder::retainedDuplicate;
            } else if (template instanceof ReferenceCounted counted) {
                this.ping = counted::retain;
            } else {
                this.ping = () -> template;
            }
            return this;
        }

        /** Test seam: see {@link TimedChannelHandler#TimedChannelHandler}. */
        Builder scheduler(HandlerTimer.Scheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /** Test seam: the source of uniform [0, 1) draws for jitter. */
        Builder jitterSource(DoubleSupplier source) {
            this.jitterSource = Objects.requireNonNull(source, "source");
            return this;
        }

        /**
         * A new handler for one channel.
         *
         * @throws IllegalStateException if the interval or the ping is not set
         */
        public HeartbeatHandler build() {
            if (intervalNanos == 0) {
                throw new IllegalStateException("interval not set: call interval(...) first");
            }
            if (ping == null) {
                throw new IllegalStateException("ping not set: call pingFactory(...) or pingTemplate(...)");
            }
            return new HeartbeatHandler(this);
        }
    }
}
