package org.looptimer.bench.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;
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
 * The idle-timeout re-arm a server pays on every read: a read event (one {@code channelRead} and
 * its {@code channelReadComplete}) through a pipeline holding looptimer's
 * {@link IdleTimeoutHandler} or Netty's {@link IdleStateHandler}, on a real connected channel
 * registered on a stock or a looptimer loop. Run with {@code -prof gc}: the target is 0 B per read
 * for {@code IdleTimeoutHandler} on a looptimer loop.
 *
 * <p>Each invocation hands one task to the loop ({@link LoopBatch}) that fires {@value #READS}
 * read events at the pipeline's head; the score is per read event, hand-off included
 * ({@link LoopHandoffBenchmark} measures that alone). Every handler sees the same traffic: one
 * shared, immutable, non-reference-counted message, swallowed by a {@link Sink} at the tail so
 * nothing is leaked or released. Reader idle time is 60 s, so no idle event fires during a run;
 * the sink checks that none did and that every read reached it.
 *
 * <p>{@code handler}: {@code IdleTimeoutHandler}, {@code IdleStateHandler}, or {@code none} (the
 * pipeline alone, the floor under both). {@code loop}: {@code looptimer} or {@code netty}. The
 * pair the issue compares is {@code IdleTimeoutHandler}+{@code looptimer} against
 * {@code IdleStateHandler}+{@code netty}; the crossed pairs show each handler on the other loop
 * ({@code IdleTimeoutHandler} falls back to {@code executor.schedule} on a stock loop, and
 * {@code IdleStateHandler}'s timers land in the heap on a looptimer loop).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"})
public class IdleReadBenchmark {

    static final int READS = 1000;
    private static final long IDLE_SECONDS = 60;
    /** The one message every read carries: immutable, not reference-counted, never released. */
    private static final Object MESSAGE = new Object();

    @Param({"IdleTimeoutHandler", "IdleStateHandler", "none"})
    String handler;

    @Param({Loops.LOOPTIMER, Loops.NETTY})
    String loop;

    @Param({"nio"})
    String transport;

    private MultiThreadIoEventLoopGroup group;
    private ConnectedChannel connection;
    private Sink sink;
    private LoopBatch reads;
    private long readsFired;

    @Setup(Level.Trial)
    public void setUp() {
        group = Loops.newGroup(loop, Transport.named(transport).newFactory());
        sink = new Sink();
        connection = new ConnectedChannel(group, Transport.named(transport), new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ChannelHandler idle = newIdleHandler();
                if (idle != null) {
                    ch.pipeline().addLast("idle", idle);
                }
                ch.pipeline().addLast("sink", sink);
            }
        });
        ChannelPipeline pipeline = connection.client.pipeline();
        reads = new LoopBatch(connection.client.eventLoop(), () -> {
            for (int i = 0; i < READS; i++) {
                pipeline.fireChannelRead(MESSAGE);
                pipeline.fireChannelReadComplete();
            }
        });
    }

    private ChannelHandler newIdleHandler() {
        return switch (handler) {
            case "IdleTimeoutHandler" -> new IdleTimeoutHandler(IDLE_SECONDS, 0, 0, TimeUnit.SECONDS);
            case "IdleStateHandler" -> new IdleStateHandler(IDLE_SECONDS, 0, 0, TimeUnit.SECONDS);
            case "none" -> null;
            default -> throw new IllegalArgumentException("unknown handler " + handler);
        };
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        // The sink's counters are loop-thread fields: read them on the loop.
        long[] seen = connection
                .client
                .eventLoop()
                .submit(() -> new long[] {sink.reads, sink.events})
                .get(10, TimeUnit.SECONDS);
        connection.close();
        Loops.shutdown(group);
        if (seen[0] != readsFired || seen[1] != 0) {
            throw new IllegalStateException("the sink saw " + seen[0] + " reads (expected " + readsFired + ") and "
                    + seen[1] + " user events (expected 0)");
        }
    }

    /** One read event (channelRead + channelReadComplete) through the pipeline, in the loop. */
    @Benchmark
    @OperationsPerInvocation(READS)
    public void read() {
        reads.runAndWait();
        readsFired += READS;
    }

    /**
     * The pipeline's tail: swallows the shared message (never released, it is not reference
     * counted) and counts what reaches it. Loop thread only.
     */
    static final class Sink extends ChannelInboundHandlerAdapter {
        long reads;
        long events;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            reads++;
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {}

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            events++;
        }
    }
}
