package org.looptimer.bench.e2e;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.ReadTimeoutException;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.looptimer.bench.netty.CountingIoHandlerFactory;
import org.looptimer.netty.TimerEventLoopGroup;
import org.looptimer.netty.handler.HeartbeatHandler;
import org.looptimer.netty.handler.HeartbeatTimeoutEvent;

/**
 * An HTTP/1.1 keep-alive server with a deadline on every request and a heartbeat on every
 * connection, written the way servers are written on Netty.
 *
 * <ul>
 *   <li><b>Deadline.</b> Every request arms {@code ctx.executor().schedule(...)} for
 *       {@code --deadline}; the response cancels it, and if it fires first the client gets a 503.
 *       Requests to {@code /slow} answer only after {@code --work} (simulated work elsewhere, such
 *       as a backend call), so a chosen share of deadlines fires.
 *   <li><b>Heartbeat.</b> Every connection is pinged with an empty line ({@code CRLF}, which
 *       HTTP/1.1 parsers skip between messages) and closed when the peer sends nothing for
 *       {@code --missed} intervals.
 * </ul>
 *
 * <p>The looptimer version differs from plain Netty in the group and the heartbeat; the deadline
 * code is the same, and on looptimer its {@code schedule} lands in the loop's heap:
 *
 * <pre>{@code
 * EventLoopGroup group = stock
 *         ? new MultiThreadIoEventLoopGroup(threads, io)
 *         : new TimerEventLoopGroup(threads, io);
 * ...
 * if (stock) {   // as people write it on plain Netty: a fixed-rate ping and a read timeout
 *     ch.pipeline().addLast(new ReadTimeoutHandler(missed * interval, NANOSECONDS), new FixedRatePing(...));
 * } else {       // one reusable timer per channel, pings only a quiet channel
 *     ch.pipeline().addLast(HeartbeatHandler.builder()
 *             .interval(interval, NANOSECONDS).closeAfterMissed(missed).pingFactory(ping).build());
 * }
 * }</pre>
 *
 * <p>Run it: {@code java -cp bench/target/benchmarks.jar org.looptimer.bench.e2e.DeadlineServer
 * --deadline 20ms --work 50ms --heartbeat 5s} ({@code --help} lists every option), then
 * {@code curl http://127.0.0.1:<port>/} and {@code /slow}. It prints {@code READY {"port":...}}
 * and answers {@code stats} and {@code stop} on standard input (see {@link ServerControl}).
 *
 * <p>Threads: {@link #start} and {@link #close} from any one thread; the handlers run on the loops.
 */
public final class DeadlineServer implements AutoCloseable {

    static final String USAGE = """
            DeadlineServer: HTTP/1.1 keep-alive; a deadline per request, a heartbeat per connection.

              --port N                port to listen on, on loopback (default 0: any free port; printed)
              --deadline DURATION     per-request deadline; 503 when it fires first (default 100ms; 0: none)
              --work DURATION         how long requests to /slow take before their answer (default 200ms)
              --heartbeat DURATION    ping a connection after this long (default 5s; 0: no heartbeat)
              --missed N              close after N heartbeat intervals without inbound data (default 3)
              --transport NAME        nio, epoll or io_uring (default: epoll where available, else nio)
              --threads N             event loops (default: the number of cores)
              --stock                 plain Netty: MultiThreadIoEventLoopGroup, a scheduleAtFixedRate
                                      ping and ReadTimeoutHandler (default: looptimer's
                                      TimerEventLoopGroup and HeartbeatHandler)

            Answers 200 "ok" on any path; /slow answers after --work.
            Prints READY {json} when listening; then reads commands on standard input:
            stats, gc (stats after a full GC), stop (or end of input).""";

    /** What the server runs with; see {@link #USAGE}. A zero duration disables its feature. */
    record Config(
            Transport transport,
            boolean stock,
            int threads,
            int port,
            Duration deadline,
            Duration work,
            Duration heartbeat,
            int missed) {
        Config {
            Objects.requireNonNull(transport, "transport");
            Objects.requireNonNull(deadline, "deadline");
            Objects.requireNonNull(work, "work");
            Objects.requireNonNull(heartbeat, "heartbeat");
        }
    }

    /** The ping: an empty line, which HTTP/1.1 parsers skip before a message. Never released. */
    private static final ByteBuf PING = Unpooled.unreleasableBuffer(
                    Unpooled.copiedBuffer("\r\n", StandardCharsets.US_ASCII))
            .asReadOnly();

    private static final ByteBuf OK = Unpooled.unreleasableBuffer(
                    Unpooled.copiedBuffer("ok\n", StandardCharsets.US_ASCII))
            .asReadOnly();
    private static final ByteBuf LATE = Unpooled.unreleasableBuffer(
                    Unpooled.copiedBuffer("deadline exceeded\n", StandardCharsets.US_ASCII))
            .asReadOnly();

    private final EventLoopGroup group;
    private final Channel serverChannel;
    private final ServerMetrics metrics;

    private DeadlineServer(EventLoopGroup group, Channel serverChannel, ServerMetrics metrics) {
        this.group = group;
        this.serverChannel = serverChannel;
        this.metrics = metrics;
    }

    /** Starts the server on loopback; it listens once this returns. */
    // After a failed bind the caller needs the bind's exception, not the shutdown's future.
    @SuppressWarnings("FutureReturnValueIgnored")
    static DeadlineServer start(Config config) throws InterruptedException {
        CountingIoHandlerFactory io =
                new CountingIoHandlerFactory(config.transport().newFactory());
        EventLoopGroup group = config.stock()
                ? new MultiThreadIoEventLoopGroup(config.threads(), io)
                : new TimerEventLoopGroup(config.threads(), io);
        ServerMetrics metrics = new ServerMetrics(io);
        try {
            Channel server = new ServerBootstrap()
                    .group(group)
                    .channel(config.transport().serverChannel)
                    .option(ChannelOption.SO_BACKLOG, 4096)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(metrics.connectionCounter());
                            if (!config.heartbeat().isZero()) {
                                // Before the codec: pings are bytes, and every response's flush
                                // passes here on its way out.
                                addHeartbeat(ch, config, metrics);
                            }
                            ch.pipeline()
                                    .addLast(new HttpServerCodec())
                                    .addLast(new HttpObjectAggregator(8192))
                                    .addLast(new RequestHandler(config, metrics));
                        }
                    })
                    .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), config.port()))
                    .sync()
                    .channel();
            return new DeadlineServer(group, server, metrics);
        } catch (RuntimeException | InterruptedException e) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw e;
        }
    }

    private static void addHeartbeat(SocketChannel ch, Config config, ServerMetrics metrics) {
        long interval = config.heartbeat().toNanos();
        if (config.stock()) {
            if (config.missed() > 0) {
                ch.pipeline().addLast(new ReadTimeoutHandler(interval * config.missed(), TimeUnit.NANOSECONDS));
            }
            ch.pipeline().addLast(new FixedRatePing(interval, metrics));
        } else {
            ch.pipeline()
                    .addLast(HeartbeatHandler.builder()
                            .interval(interval, TimeUnit.NANOSECONDS)
                            .closeAfterMissed(config.missed())
                            .pingFactory(() -> {
                                metrics.heartbeatSent();
                                return PING.duplicate();
                            })
                            .build());
        }
    }

    /** The port the server listens on. */
    int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    ServerMetrics metrics() {
        return metrics;
    }

    /** Stops accepting, closes every connection and waits for the loops to terminate. */
    @Override
    public void close() {
        serverChannel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly(30, TimeUnit.SECONDS);
    }

    boolean isTerminated() {
        return group.isTerminated();
    }

    /**
     * The heartbeat as commonly written on plain Netty: a {@code scheduleAtFixedRate} ping from
     * the moment the connection is active, cancelled when it closes.
     */
    private static final class FixedRatePing extends ChannelInboundHandlerAdapter {
        private final long intervalNanos;
        private final ServerMetrics metrics;
        private ScheduledFuture<?> pings;

        FixedRatePing(long intervalNanos, ServerMetrics metrics) {
            this.intervalNanos = intervalNanos;
            this.metrics = metrics;
        }

        @Override
        // A failed ping write closes the channel and cancels the pings; its future adds nothing.
        @SuppressWarnings("FutureReturnValueIgnored")
        public void channelActive(ChannelHandlerContext ctx) {
            pings = ctx.executor()
                    .scheduleAtFixedRate(
                            () -> {
                                metrics.heartbeatSent();
                                ctx.writeAndFlush(PING.duplicate());
                            },
                            intervalNanos,
                            intervalNanos,
                            TimeUnit.NANOSECONDS);
            ctx.fireChannelActive();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (pings != null) {
                pings.cancel(false);
            }
            ctx.fireChannelInactive();
        }
    }

    /**
     * Answers one request at a time: while a slow request is pending the channel stops reading,
     * so pipelined requests are answered in order.
     */
    private static final class RequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final long deadlineNanos;
        private final long workNanos;
        private final ServerMetrics metrics;

        RequestHandler(Config config, ServerMetrics metrics) {
            this.deadlineNanos = config.deadline().toNanos();
            this.workNanos = config.work().toNanos();
            this.metrics = metrics;
        }

        @Override
        // The work's outcome is the Exchange itself; the schedule's future adds nothing.
        @SuppressWarnings("FutureReturnValueIgnored")
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            metrics.requestReceived();
            Exchange exchange = new Exchange(ctx, HttpUtil.isKeepAlive(request), metrics);
            if (deadlineNanos > 0) {
                exchange.deadline = ctx.executor().schedule(exchange::expire, deadlineNanos, TimeUnit.NANOSECONDS);
            }
            if (request.uri().startsWith("/slow")) {
                ctx.channel().config().setAutoRead(false);
                ctx.executor().schedule(exchange::complete, workNanos, TimeUnit.NANOSECONDS);
            } else {
                exchange.complete();
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof HeartbeatTimeoutEvent) {
                metrics.deadPeerClosed(); // HeartbeatHandler closes the channel itself
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        // Closing is the last word on this channel; nothing waits for it.
        @SuppressWarnings("FutureReturnValueIgnored")
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (cause instanceof ReadTimeoutException) {
                metrics.deadPeerClosed();
            }
            ctx.close();
        }
    }

    /** One request: answered once, by its completion or by its deadline, whichever comes first. */
    private static final class Exchange {
        private final ChannelHandlerContext ctx;
        private final boolean keepAlive;
        private final ServerMetrics metrics;
        ScheduledFuture<?> deadline;
        private boolean answered;

        Exchange(ChannelHandlerContext ctx, boolean keepAlive, ServerMetrics metrics) {
            this.ctx = ctx;
            this.keepAlive = keepAlive;
            this.metrics = metrics;
        }

        void complete() {
            if (deadline != null) {
                deadline.cancel(false);
            }
            answer(HttpResponseStatus.OK, OK);
        }

        void expire() {
            metrics.deadlineFired();
            answer(HttpResponseStatus.SERVICE_UNAVAILABLE, LATE);
        }

        // A failed write closes the channel through the pipeline; its future adds nothing.
        @SuppressWarnings("FutureReturnValueIgnored")
        private void answer(HttpResponseStatus status, ByteBuf body) {
            if (answered) {
                return;
            }
            answered = true;
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body.duplicate());
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN);
            response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
            if (!keepAlive) {
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            } else {
                ctx.writeAndFlush(response);
            }
            if (!ctx.channel().config().isAutoRead()) {
                ctx.channel().config().setAutoRead(true);
            }
        }
    }

    public static void main(String[] args) throws Exception {
        Options o = Options.parse(
                args,
                USAGE,
                Set.of("port", "deadline", "work", "heartbeat", "missed", "transport", "threads"),
                Set.of("stock"));
        if (o == null) {
            return;
        }
        Config config = new Config(
                Transport.named(o.string("transport", Transport.preferred().label())),
                o.flag("stock"),
                o.integer("threads", Runtime.getRuntime().availableProcessors()),
                o.integer("port", 0),
                o.duration("deadline", Duration.ofMillis(100)),
                o.duration("work", Duration.ofMillis(200)),
                o.duration("heartbeat", Duration.ofSeconds(5)),
                o.integer("missed", 3));
        DeadlineServer server = start(config);
        ServerControl.serve("DeadlineServer", server.port(), server.metrics(), server::close);
    }
}
