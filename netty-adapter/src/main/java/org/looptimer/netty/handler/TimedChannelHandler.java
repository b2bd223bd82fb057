package org.looptimer.netty.handler;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Ticker;
import java.util.Arrays;
import java.util.Objects;

/**
 * The life cycle of a handler that times its channel with {@link HandlerTimer}s, written once for
 * {@link IdleTimeoutHandler} and {@link HeartbeatHandler}:
 *
 * <ul>
 *   <li><b>Start</b> once the channel is registered and active: at {@code handlerAdded} if it is
 *       both already ({@code channelActive} has fired and will not reach this handler), at
 *       {@code channelRegistered} if it is active (a handler added to a deregistered channel), or
 *       at {@code channelActive}. The subclass's {@link #start} reads the clock and arms its
 *       timers.
 *   <li><b>Move</b> with the channel: at {@code channelUnregistered} the timers are parked, stopped
 *       on the old executor, whose heap must not keep them and whose thread must not run them; at
 *       the next {@code channelRegistered} they resume on {@code ctx.executor()}, the new loop, at
 *       the deadlines they had, so the activity times the subclass keeps stay valid. If the new
 *       executor has another {@link Ticker}, whose readings do not compare with the old one's,
 *       {@link #start} runs again instead: idleness counts from the move, late but never early.
 *   <li><b>Stop</b> for good at {@code channelInactive} or {@code handlerRemoved}; nothing starts
 *       it again, not even a handler stopped before it started (netty/netty#143).
 * </ul>
 *
 * <p>The six life-cycle methods are not final: {@link IdleTimeoutHandler} is a drop-in for
 * {@link IdleStateHandler}, whose subclasses may override them. An override must call
 * {@code super}, or the timers neither start, move nor stop.
 *
 * <p>Threads: the channel's executor only, like any non-sharable handler; the fields are plain.
 * When the channel moves, the old loop writes them last in {@code channelUnregistered} and the new
 * loop reads them first in {@code channelRegistered}: Netty registers a channel only once its
 * volatile {@code registered} flag, cleared on the old loop after that event, reads false, and runs
 * the registration as a task on the new loop, so the hand-over is ordered.
 */
abstract class TimedChannelHandler extends ChannelDuplexHandler {

    private static final byte ST_NEW = 0;
    private static final byte ST_STARTED = 1;
    /** Started, and the channel deregistered: the timers are parked until it registers again. */
    private static final byte ST_PARKED = 2;

    private static final byte ST_DESTROYED = 3;

    private final HandlerTimer.Scheduler scheduler;
    private HandlerTimer[] timers = new HandlerTimer[0];

    // --- the channel's executor only ---
    /** The context, from the start on. */
    ChannelHandlerContext ctx;
    /** The executor's Netty {@link Ticker}, its clock: activity times and deadlines are its readings. */
    Ticker clock = Ticker.systemTicker();

    private byte state = ST_NEW;

    /**
     * @param scheduler {@link HandlerTimer#LOOP_TIMERS}; test seam: another {@code Timers}, such as
     *     a heap on fake time
     */
    TimedChannelHandler(HandlerTimer.Scheduler scheduler) {
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    }

    /** A timer running {@code task}, started, moved and stopped with this handler. Constructors only. */
    final HandlerTimer newTimer(Runnable task) {
        HandlerTimer timer = new HandlerTimer(task, scheduler);
        timers = Arrays.copyOf(timers, timers.length + 1);
        timers[timers.length - 1] = timer;
        return timer;
    }

    /**
     * Starts timing: {@link #ctx} and {@link #clock} are set and the timers bound to the channel's
     * executor. Read the clock, take it as the time of the last activity, and arm the timers. Runs
     * once, or again after a move to an executor with another ticker.
     */
    abstract void start(ChannelHandlerContext ctx);

    /** Whether it started and has not stopped: the timer callbacks' guard. */
    final boolean isStarted() {
        return state == ST_STARTED;
    }

    // ------------------------------------------------------------------------------------------
    // Life cycle events: overrides must call super
    // ------------------------------------------------------------------------------------------

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        clock = ctx.executor().ticker(); // for the activity a subclass records before the start
        if (ctx.channel().isActive() && ctx.channel().isRegistered()) {
            begin(ctx);
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) throws Exception {
        destroy();
    }

    @Override
    public void channelRegistered(ChannelHandlerContext ctx) throws Exception {
        if (state == ST_PARKED) {
            resume(ctx);
        } else if (ctx.channel().isActive()) {
            begin(ctx);
        }
        super.channelRegistered(ctx);
    }

    @Override
    public void channelUnregistered(ChannelHandlerContext ctx) throws Exception {
        if (state == ST_STARTED) {
            state = ST_PARKED;
            for (HandlerTimer timer : timers) {
                timer.park();
            }
        }
        super.channelUnregistered(ctx);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        begin(ctx);
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        destroy();
        super.channelInactive(ctx);
    }

    private void begin(ChannelHandlerContext ctx) {
        if (state != ST_NEW) {
            return; // started already, or destroyed before it could start
        }
        state = ST_STARTED;
        this.ctx = ctx;
        EventExecutor executor = ctx.executor();
        clock = executor.ticker();
        for (HandlerTimer timer : timers) {
            timer.bind(executor);
        }
        start(ctx);
    }

    private void resume(ChannelHandlerContext ctx) {
        state = ST_STARTED;
        EventExecutor executor = ctx.executor();
        Ticker moved = executor.ticker();
        if (moved == clock) {
            for (HandlerTimer timer : timers) {
                timer.resume(executor);
            }
        } else {
            clock = moved;
            for (HandlerTimer timer : timers) {
                timer.bind(executor);
            }
            start(ctx);
        }
    }

    /** Stops the timers for good. */
    final void destroy() {
        state = ST_DESTROYED;
        for (HandlerTimer timer : timers) {
            timer.stop();
        }
    }
}
