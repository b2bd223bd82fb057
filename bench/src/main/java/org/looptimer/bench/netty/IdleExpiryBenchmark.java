package org.looptimer.bench.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.looptimer.netty.handler.IdleTimeoutHandler;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The other half of an idle timeout's cost: the timer firing and re-arming itself for the next
 * idle period. {@link IdleReadBenchmark} cannot show it, because both handlers only record a
 * timestamp per read; here nothing is read and every timer keeps expiring.
 *
 * <p>{@code liveTimers} idle handlers (reader idle 1 ms, the minimum of both handlers) sit on
 * {@value #CHANNELS} real connected channels of one loop, {@code liveTimers / CHANNELS} per pipeline.
 * Far more expire per millisecond than any loop can run, so the loop does nothing but fire and
 * re-arm: the score is loop time per expiry (fire + re-arm), and {@code -prof gc} shows the bytes
 * allocated per expiry (target: 0 for {@code IdleTimeoutHandler} on a looptimer loop, whose re-arm
 * is a {@code TimerHandle.reset}; Netty's {@code IdleStateHandler} schedules a new task per idle
 * period). The handlers count their idle events in {@link IdleTimeoutHandler#channelIdle}-style
 * overrides instead of sending them down the pipeline, so an expiry costs the same whatever the
 * pipeline holds.
 *
 * <p>Each invocation waits, on the benchmark thread, for {@value #EXPIRIES} more expiries.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"})
public class IdleExpiryBenchmark {

    static final int EXPIRIES = 1000;
    static final int CHANNELS = 64;
    private static final long IDLE_MILLIS = 1;

    @Param({"IdleTimeoutHandler", "IdleStateHandler"})
    String handler;

    @Param({Loops.LOOPTIMER, Loops.NETTY})
    String loop;

    @Param({"65536"})
    int liveTimers;

    @Param({"nio"})
    String transport;

    private MultiThreadIoEventLoopGroup group;
    private final List<ConnectedChannel> connections = new ArrayList<>();
    private final ExpiryCounter expiries = new ExpiryCounter();

    @Setup(Level.Trial)
    public void setUp() {
        if (liveTimers % CHANNELS != 0) {
            throw new IllegalArgumentException("liveTimers must be a multiple of " + CHANNELS + ", was " + liveTimers);
        }
        Transport t = Transport.named(transport);
        group = Loops.newGroup(loop, t.newFactory());
        int perChannel = liveTimers / CHANNELS;
        for (int c = 0; c < CHANNELS; c++) {
            connections.add(new ConnectedChannel(group, t, new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel ch) {
                    for (int i = 0; i < perChannel; i++) {
                        ch.pipeline().addLast("idle" + i, newIdleHandler()); // explicit names: O(n) add
                    }
                }
            }));
        }
    }

    private ChannelHandler newIdleHandler() {
        return switch (handler) {
            case "IdleTimeoutHandler" -> new CountingIdleTimeoutHandler(expiries);
            case "IdleStateHandler" -> new CountingIdleStateHandler(expiries);
            default -> throw new IllegalArgumentException("unknown handler " + handler);
        };
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        connections.forEach(ConnectedChannel::close);
        Loops.shutdown(group);
    }

    /** One idle expiry (the handler's timer fires, finds the channel idle, re-arms), in the loop. */
    @Benchmark
    @OperationsPerInvocation(EXPIRIES)
    public void expire() {
        expiries.awaitMore(EXPIRIES);
    }

    /**
     * Counts idle events on the loop and lets one benchmark thread wait for a number of them.
     *
     * <p>Threads: {@link #expired()} on the loop only; {@link #awaitMore} on one waiting thread.
     */
    static final class ExpiryCounter {
        private static final VarHandle COUNT;

        static {
            try {
                COUNT = MethodHandles.lookup().findVarHandle(ExpiryCounter.class, "count", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        /** Written by the loop only; opaque so the waiter reads a whole, fresh-enough value. */
        private long count;
        /** Volatile: the waiter publishes its goal and then itself to the loop. */
        private volatile long goal = -1;

        private volatile Thread waiter;

        /** Loop: one idle event. */
        void expired() {
            long c = count + 1;
            COUNT.setOpaque(this, c); // no fence needed: the waiter re-checks after every park
            if (c == goal) {
                LockSupport.unpark(waiter);
            }
        }

        /** Waiting thread: returns once {@code n} more events have happened. */
        void awaitMore(long n) {
            long target = (long) COUNT.getOpaque(this) + n;
            waiter = Thread.currentThread();
            goal = target;
            // If the loop passed the goal before it was published, no unpark comes: the timed park
            // bounds that rare miss to 1 ms instead of hanging.
            while ((long) COUNT.getOpaque(this) < target) {
                LockSupport.parkNanos(this, 1_000_000);
            }
        }
    }

    /** looptimer's handler, counting its idle events instead of firing them down the pipeline. */
    static final class CountingIdleTimeoutHandler extends IdleTimeoutHandler {
        private final ExpiryCounter expiries;

        CountingIdleTimeoutHandler(ExpiryCounter expiries) {
            super(IDLE_MILLIS, 0, 0, TimeUnit.MILLISECONDS);
            this.expiries = expiries;
        }

        @Override
        protected void channelIdle(ChannelHandlerContext ctx, IdleStateEvent evt) {
            expiries.expired();
        }
    }

    /** Netty's handler, counting its idle events instead of firing them down the pipeline. */
    static final class CountingIdleStateHandler extends IdleStateHandler {
        private final ExpiryCounter expiries;

        CountingIdleStateHandler(ExpiryCounter expiries) {
            super(IDLE_MILLIS, 0, 0, TimeUnit.MILLISECONDS);
            this.expiries = expiries;
        }

        @Override
        protected void channelIdle(ChannelHandlerContext ctx, IdleStateEvent evt) {
            expiries.expired();
        }
    }
}
