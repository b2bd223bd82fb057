package org.looptimer.netty.handler;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.EventExecutor;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.looptimer.core.Deadlines;
import org.looptimer.netty.TimerEventLoop;

/**
 * A drop-in replacement for Netty's {@link IdleStateHandler}: it fires the same
 * {@link IdleStateEvent}s ({@link IdleStateEvent#FIRST_READER_IDLE_STATE_EVENT} first, then
 * {@link IdleStateEvent#READER_IDLE_STATE_EVENT} for each further idle period, and likewise for
 * writer and all-idle), under the same conditions, with the same constructors, hooks
 * ({@link #channelIdle}, {@link #newIdleStateEvent}) and getters, so existing
 * {@code userEventTriggered} code works unchanged. Swap the class name:
 *
 * <pre>{@code
 * public class MyChannelInitializer extends ChannelInitializer<Channel> {
 *     @Override
 *     public void initChannel(Channel channel) {
 *         // close after 60 s without inbound data, ping after 30 s without outbound data
 *         channel.pipeline().addLast("idle", new IdleTimeoutHandler(60, 30, 0));
 *         channel.pipeline().addLast("myHandler", new MyHandler());
 *     }
 * }
 *
 * public class MyHandler extends ChannelDuplexHandler {
 *     @Override
 *     public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
 *         if (evt instanceof IdleStateEvent e) {
 *             if (e.state() == IdleState.READER_IDLE) {
 *                 ctx.close();
 *             } else if (e.state() == IdleState.WRITER_IDLE) {
 *                 ctx.writeAndFlush(new PingMessage());
 *             }
 *         }
 *     }
 * }
 * }</pre>
 *
 * <p>Each time value is "0 or less: disabled", otherwise at least one millisecond. A read counts
 * when {@code channelReadComplete} follows it, and while a read is in progress the reader is not
 * idle; a write counts when it completes. With {@code observeOutput}, a write that is slowly
 * draining (the outbound buffer's head message, pending bytes or flush progress changed) does not
 * count as idle, as in Netty.
 *
 * <h2>Why it is cheaper than {@link IdleStateHandler}</h2>
 *
 * On a {@link TimerEventLoop} each enabled idle kind owns one {@link org.looptimer.core.TimerHandle}
 * in the loop's heap, created once per channel and loop. A read or write only stores the time of
 * the activity: no allocation, no heap operation, no CAS. When the timer fires it compares the time
 * since the last activity with the idle time: if the channel was active meanwhile it re-arms the
 * same handle for the remainder, else it fires the event and re-arms for a full period. So the
 * heap is touched once per idle period, not once per read, and re-arming reuses the handle where
 * Netty allocates a new {@code ScheduledFutureTask} for every period. (A write is observed through
 * one shared listener on its promise, as in Netty; only a write given a void promise costs a
 * promise, which {@code unvoid()} makes.)
 *
 * <p>The alternative, {@link org.looptimer.core.TimerHandle#reset} on every read (the heap's lazy
 * later re-arm), would keep the deadline exact without a comparison at fire time, but it costs a
 * CAS on the timer's word and a write to the heap's sequence array per read, on the hottest path of
 * a server; recording a timestamp costs one clock read, which {@link IdleStateHandler} pays too.
 * Fire-and-compare also keeps the first/subsequent event and {@code observeOutput} semantics
 * identical to Netty's, since the decision is made by the same rule at the same moments.
 *
 * <p>On any other executor (a stock loop, {@code EmbeddedChannel}) the same handle runs through
 * {@code executor.schedule}, like {@link IdleStateHandler}. Times are read from the executor's
 * {@link EventExecutor#ticker() ticker}, so {@code EmbeddedChannel}'s fake time drives it. When the
 * channel is deregistered and registered on another loop, the timers follow it there, for the time
 * that remained.
 *
 * <p>Subclasses that override a life-cycle event ({@code handlerAdded}, {@code handlerRemoved},
 * {@code channelRegistered}, {@code channelUnregistered}, {@code channelActive},
 * {@code channelInactive}) must call {@code super}: it starts, moves and stops the timers.
 *
 * <p>Threads: like every non-sharable handler, used only on its channel's executor, except
 * {@link #getReaderIdleTimeInMillis()} and its siblings, which any thread may call. One instance
 * per channel.
 */
public class IdleTimeoutHandler extends TimedChannelHandler {

    private static final long MIN_TIMEOUT_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final boolean observeOutput;
    private final long readerIdleTimeNanos;
    private final long writerIdleTimeNanos;
    private final long allIdleTimeNanos;

    /** One per enabled idle kind, null for a disabled one. */
    private final HandlerTimer readerTimer;

    private final HandlerTimer writerTimer;
    private final HandlerTimer allTimer;

    // --- the channel's executor only ---
    private long lastReadTime;
    private long lastWriteTime;
    private boolean reading;
    private boolean firstReaderIdleEvent = true;
    private boolean firstWriterIdleEvent = true;
    private boolean firstAllIdleEvent = true;

    // observeOutput: the outbound buffer as seen at the last check
    private long lastChangeCheckTimeStamp;
    private int lastMessageHashCode;
    private long lastPendingWriteBytes;
    private long lastFlushProgress;

    /** One listener for every write: no allocation per write beyond Netty's own promise. */
    private final ChannelFutureListener writeListener = future -> {
        lastWriteTime = clock.nanoTime();
        firstWriterIdleEvent = true;
        firstAllIdleEvent = true;
    };

    /**
     * Times in seconds; see {@link #IdleTimeoutHandler(boolean, long, long, long, TimeUnit)}.
     */
    public IdleTimeoutHandler(int readerIdleTimeSeconds, int writerIdleTimeSeconds, int allIdleTimeSeconds) {
        this(readerIdleTimeSeconds, writerIdleTimeSeconds, allIdleTimeSeconds, TimeUnit.SECONDS);
    }

    /**
     * Without {@code observeOutput}; see {@link #IdleTimeoutHandler(boolean, long, long, long, TimeUnit)}.
     */
    public IdleTimeoutHandler(long readerIdleTime, long writerIdleTime, long allIdleTime, TimeUnit unit) {
        this(false, readerIdleTime, writerIdleTime, allIdleTime, unit);
    }

    /**
     * @param observeOutput whether a write that is still draining (the outbound buffer changed since
     *     the last check) keeps the writer from being idle
     * @param readerIdleTime fire {@link IdleState#READER_IDLE} after this long without a read;
     *     0 disables it
     * @param writerIdleTime fire {@link IdleState#WRITER_IDLE} after this long without a completed
     *     write; 0 disables it
     * @param allIdleTime fire {@link IdleState#ALL_IDLE} after this long with neither; 0 disables it
     * @param unit the unit of the three times
     * @throws NullPointerException if {@code unit} is null
     */
    public IdleTimeoutHandler(
            boolean observeOutput, long readerIdleTime, long writerIdleTime, long allIdleTime, TimeUnit unit) {
        this(HandlerTimer.LOOP_TIMERS, observeOutput, readerIdleTime, writerIdleTime, allIdleTime, unit);
    }

    /** Test seam: see {@link TimedChannelHandler#TimedChannelHandler}. */
    // JDK 21+ lint: the timers only hold the callbacks; none runs before start(), after construction.
    @SuppressWarnings("this-escape")
    IdleTimeoutHandler(
            HandlerTimer.Scheduler scheduler,
            boolean observeOutput,
            long readerIdleTime,
            long writerIdleTime,
            long allIdleTime,
            TimeUnit unit) {
        super(scheduler);
        Objects.requireNonNull(unit, "unit");
        this.observeOutput = observeOutput;
        this.readerIdleTimeNanos = idleNanos(readerIdleTime, unit);
        this.writerIdleTimeNanos = idleNanos(writerIdleTime, unit);
        this.allIdleTimeNanos = idleNanos(allIdleTime, unit);
        this.readerTimer = readerIdleTimeNanos > 0 ? newTimer(this::readerTimerFired) : null;
        this.writerTimer = writerIdleTimeNanos > 0 ? newTimer(this::writerTimerFired) : null;
        this.allTimer = allIdleTimeNanos > 0 ? newTimer(this::allTimerFired) : null;
    }

    private static long idleNanos(long time, TimeUnit unit) {
        return time <= 0 ? 0 : Math.max(unit.toNanos(time), MIN_TIMEOUT_NANOS);
    }

    /** The reader idle time in milliseconds, 0 when disabled. Any thread. */
    public long getReaderIdleTimeInMillis() {
        return TimeUnit.NANOSECONDS.toMillis(readerIdleTimeNanos);
    }

    /** The writer idle time in milliseconds, 0 when disabled. Any thread. */
    public long getWriterIdleTimeInMillis() {
        return TimeUnit.NANOSECONDS.toMillis(writerIdleTimeNanos);
    }

    /** The all-idle time in milliseconds, 0 when disabled. Any thread. */
    public long getAllIdleTimeInMillis() {
        return TimeUnit.NANOSECONDS.toMillis(allIdleTimeNanos);
    }

    // ------------------------------------------------------------------------------------------
    // Start: the life cycle itself is TimedChannelHandler's
    // ------------------------------------------------------------------------------------------

    @Override
    void start(ChannelHandlerContext ctx) {
        initOutputChanged(ctx);
        long now = clock.nanoTime();
        lastReadTime = lastWriteTime = now;
        if (readerTimer != null) {
            readerTimer.armAt(Deadlines.after(now, readerIdleTimeNanos));
        }
        if (writerTimer != null) {
            writerTimer.armAt(Deadlines.after(now, writerIdleTimeNanos));
        }
        if (allTimer != null) {
            allTimer.armAt(Deadlines.after(now, allIdleTimeNanos));
        }
    }

    // ------------------------------------------------------------------------------------------
    // Activity: record the time, nothing else
    // ------------------------------------------------------------------------------------------

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (readerIdleTimeNanos > 0 || allIdleTimeNanos > 0) {
            reading = true;
            firstReaderIdleEvent = true;
            firstAllIdleEvent = true;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        if ((readerIdleTimeNanos > 0 || allIdleTimeNanos > 0) && reading) {
            lastReadTime = clock.nanoTime();
            reading = false;
        }
        ctx.fireChannelReadComplete();
    }

    // The reader-only write returns the caller's own promise, which the caller already holds.
    @SuppressWarnings("FutureReturnValueIgnored")
    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (writerIdleTimeNanos > 0 || allIdleTimeNanos > 0) {
            // A void promise cannot carry a listener; unvoid() replaces it only in that case.
            ctx.write(msg, promise.unvoid()).addListener(writeListener);
        } else {
            ctx.write(msg, promise); // reader-only: void promises pass through untouched
        }
    }

    /**
     * Counts as a read now: the reader and all-idle timers start over. Channel executor only.
     */
    public void resetReadTimeout() {
        if (readerIdleTimeNanos > 0 || allIdleTimeNanos > 0) {
            lastReadTime = clock.nanoTime();
            reading = false;
            firstReaderIdleEvent = true;
            firstAllIdleEvent = true;
        }
    }

    /**
     * Counts as a completed write now: the writer and all-idle timers start over. Channel executor
     * only.
     */
    public void resetWriteTimeout() {
        if (writerIdleTimeNanos > 0 || allIdleTimeNanos > 0) {
            lastWriteTime = clock.nanoTime();
            firstWriterIdleEvent = true;
            firstAllIdleEvent = true;
        }
    }

    // ------------------------------------------------------------------------------------------
    // Timers: compare with the last activity; fire, or re-arm for the remainder
    // ------------------------------------------------------------------------------------------

    private boolean shouldCheck() {
        return isStarted() && ctx.channel().isOpen();
    }

    // Each callback reads the clock once. It re-arms by absolute deadline, one idle time after the
    // activity it holds (or, after an event, after that one reading): no second clock read, and
    // the next check is never due before the idle time has passed.

    private void readerTimerFired() {
        if (!shouldCheck()) {
            return;
        }
        long now = clock.nanoTime();
        long due = Deadlines.after(reading ? now : lastReadTime, readerIdleTimeNanos);
        if (due > now) {
            readerTimer.armAt(due); // read meanwhile, or reading now: wait out the rest of the period
            return;
        }
        readerTimer.armAt(Deadlines.after(now, readerIdleTimeNanos));
        boolean first = firstReaderIdleEvent;
        firstReaderIdleEvent = false;
        fireIdle(IdleState.READER_IDLE, first);
    }

    private void writerTimerFired() {
        if (!shouldCheck()) {
            return;
        }
        long now = clock.nanoTime();
        long due = Deadlines.after(lastWriteTime, writerIdleTimeNanos);
        if (due > now) {
            writerTimer.armAt(due);
            return;
        }
        writerTimer.armAt(Deadlines.after(now, writerIdleTimeNanos));
        boolean first = firstWriterIdleEvent;
        firstWriterIdleEvent = false;
        if (hasOutputChanged(first)) {
            return;
        }
        fireIdle(IdleState.WRITER_IDLE, first);
    }

    private void allTimerFired() {
        if (!shouldCheck()) {
            return;
        }
        long now = clock.nanoTime();
        long due = Deadlines.after(reading ? now : Math.max(lastReadTime, lastWriteTime), allIdleTimeNanos);
        if (due > now) {
            allTimer.armAt(due);
            return;
        }
        allTimer.armAt(Deadlines.after(now, allIdleTimeNanos));
        boolean first = firstAllIdleEvent;
        firstAllIdleEvent = false;
        if (hasOutputChanged(first)) {
            return;
        }
        fireIdle(IdleState.ALL_IDLE, first);
    }

    private void fireIdle(IdleState idleState, boolean first) {
        try {
            channelIdle(ctx, newIdleStateEvent(idleState, first));
        } catch (Throwable t) {
            ctx.fireExceptionCaught(t);
        }
    }

    /**
     * Called when an {@link IdleStateEvent} should be fired; fires it down the pipeline with
     * {@link ChannelHandlerContext#fireUserEventTriggered(Object)}. Override to act on it here.
     */
    protected void channelIdle(ChannelHandlerContext ctx, IdleStateEvent evt) throws Exception {
        ctx.fireUserEventTriggered(evt);
    }

    /**
     * The event for an idle state: by default Netty's shared {@link IdleStateEvent} constants,
     * {@code FIRST_*} for the first event of an idle stretch.
     */
    protected IdleStateEvent newIdleStateEvent(IdleState state, boolean first) {
        return switch (state) {
            case READER_IDLE ->
                first ? IdleStateEvent.FIRST_READER_IDLE_STATE_EVENT : IdleStateEvent.READER_IDLE_STATE_EVENT;
            case WRITER_IDLE ->
                first ? IdleStateEvent.FIRST_WRITER_IDLE_STATE_EVENT : IdleStateEvent.WRITER_IDLE_STATE_EVENT;
            case ALL_IDLE -> first ? IdleStateEvent.FIRST_ALL_IDLE_STATE_EVENT : IdleStateEvent.ALL_IDLE_STATE_EVENT;
            default -> throw new IllegalArgumentException("Unhandled: state=" + state + ", first=" + first);
        };
    }

    // ------------------------------------------------------------------------------------------
    // observeOutput (netty/netty#6150): a slowly draining write is not idleness
    // ------------------------------------------------------------------------------------------

    private void initOutputChanged(ChannelHandlerContext ctx) {
        if (!observeOutput) {
            return;
        }
        ChannelOutboundBuffer buf = ctx.channel().unsafe().outboundBuffer();
        if (buf != null) {
            lastMessageHashCode = System.identityHashCode(buf.current());
            lastPendingWriteBytes = buf.totalPendingWriteBytes();
            lastFlushProgress = buf.currentProgress();
        }
    }

    /**
     * Whether, with {@code observeOutput}, the output moved since the last check: a write
     * completed, the head message or the pending byte count changed, or the head message's flush
     * progress advanced. Every check records what it sees. On the first check of an idle stretch
     * nothing counts as a change, so the first idle event always fires; a later check stops at the
     * first change it sees.
     */
    private boolean hasOutputChanged(boolean first) {
        if (!observeOutput) {
            return false;
        }
        if (lastChangeCheckTimeStamp != lastWriteTime) {
            lastChangeCheckTimeStamp = lastWriteTime;
            if (!first) {
                return true;
            }
        }
        ChannelOutboundBuffer buf = ctx.channel().unsafe().outboundBuffer();
        if (buf == null) {
            return false;
        }
        int messageHashCode = System.identityHashCode(buf.current());
        long pendingWriteBytes = buf.totalPendingWriteBytes();
        if (messageHashCode != lastMessageHashCode || pendingWriteBytes != lastPendingWriteBytes) {
            lastMessageHashCode = messageHashCode;
            lastPendingWriteBytes = pendingWriteBytes;
            if (!first) {
                return true;
            }
        }
        long flushProgress = buf.currentProgress();
        if (flushProgress != lastFlushProgress) {
            lastFlushProgress = flushProgress;
            return !first;
        }
        return false;
    }
}
