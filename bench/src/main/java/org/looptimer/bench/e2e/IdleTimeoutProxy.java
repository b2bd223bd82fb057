package org.looptimer.bench.e2e;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.looptimer.bench.netty.CountingIoHandlerFactory;
import org.looptimer.netty.TimerEventLoopGroup;
import org.looptimer.netty.handler.IdleTimeoutHandler;

/**
 * A TCP proxy that closes idle client connections: it accepts a client, connects to the backend
 * on the client's own event loop, relays bytes both ways with back-pressure (the next read waits
 * for the previous write), and closes both sides together. Each client connection closes after
 * {@code --idle} without inbound data.
 *
 * <p>The looptimer version differs from plain Netty in two lines, the group and the idle handler:
 *
 * <pre>{@code
 * EventLoopGroup group = stock
 *         ? new MultiThreadIoEventLoopGroup(threads, io)
 *         : new TimerEventLoopGroup(threads, io);              // every timer into the loops' heaps
 * ...
 * ch.pipeline().addLast(stock
 *         ? new IdleStateHandler(idleNanos, 0, 0, NANOSECONDS)
 *         : new IdleTimeoutHandler(idleNanos, 0, 0, NANOSECONDS)); // same events, no allocation
 * }</pre>
 *
 * <p>Run it: {@code java -cp bench/target/benchmarks.jar org.looptimer.bench.e2e.IdleTimeoutProxy
 * --backend 127.0.0.1:8080 --idle 2s} ({@code --help} lists every option); it prints
 * {@code READY {"port":...}} and answers {@code stats} and {@code stop} on standard input (see
 * {@link ServerControl}).
 *
 * <p>Threads: {@link #start} and {@link #close} from any one thread; the handlers run on the loops.
 */
public final class IdleTimeoutProxy implements AutoCloseable {

    static final String USAGE = """
            IdleTimeoutProxy: a TCP proxy that closes a client connection after --idle without inbound data.

              --backend HOST:PORT     where to relay (required)
              --port N                port to listen on, on loopback (default 0: any free port; printed)
              --idle DURATION         idle timeout, e.g. 2s or 500ms (default 30s)
              --transport NAME        nio, epoll or io_uring (default: epoll where available, else nio)
              --threads N             event loops (default: the number of cores)
              --stock                 plain Netty: MultiThreadIoEventLoopGroup + IdleStateHandler
                                      (default: looptimer's TimerEventLoopGroup + IdleTimeoutHandler)

            Prints READY {json} when listening; then reads commands on standard input:
            stats, gc (stats after a full GC), stop (or end of input).""";

    /** What the proxy runs with; see {@link #USAGE}. */
    record Config(Transport transport, boolean stock, int threads, int port, InetSocketAddress backend, Duration idle) {
        Config {
            Objects.requireNonNull(transport, "transport");
            Objects.requireNonNull(backend, "backend");
            Objects.requireNonNull(idle, "idle");
        }
    }

    private final EventLoopGroup group;
    private final Channel serverChannel;
    private final ServerMetrics metrics;

    private IdleTimeoutProxy(EventLoopGroup group, Channel serverChannel, ServerMetrics metrics) {
        this.group = group;
        this.serverChannel = serverChannel;
        this.metrics = metrics;
    }

    /** Starts the proxy on loopback; it listens once this returns. */
    // After a failed bind the caller needs the bind's exception, not the shutdown's future.
    @SuppressWarnings("FutureReturnValueIgnored")
    static IdleTimeoutProxy start(Config config) throws InterruptedException {
        CountingIoHandlerFactory io =
                new CountingIoHandlerFactory(config.transport().newFactory());
        EventLoopGroup group = config.stock()
                ? new MultiThreadIoEventLoopGroup(config.threads(), io)
                : new TimerEventLoopGroup(config.threads(), io);
        ServerMetrics metrics = new ServerMetrics(io);
        long idleNanos = config.idle().toNanos();
        try {
            Channel server = new ServerBootstrap()
                    .group(group)
                    .channel(config.transport().serverChannel)
                    .option(ChannelOption.SO_BACKLOG, 4096)
                    // Reads only when the other side has taken the previous bytes: back-pressure.
                    .childOption(ChannelOption.AUTO_READ, false)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            IdleCloser closer = new IdleCloser(idleNanos, metrics);
                            ch.pipeline()
                                    .addLast(metrics.connectionCounter())
                                    .addLast(closer.before())
                                    .addLast(
                                            "idle",
                                            config.stock()
                                                    ? new IdleStateHandler(idleNanos, 0, 0, TimeUnit.NANOSECONDS)
                                                    : new IdleTimeoutHandler(idleNanos, 0, 0, TimeUnit.NANOSECONDS))
                                    .addLast(closer)
                                    .addLast(new Frontend(config));
                        }
                    })
                    .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), config.port()))
                    .sync()
                    .channel();
            return new IdleTimeoutProxy(group, server, metrics);
        } catch (RuntimeException | InterruptedException e) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw e;
        }
    }

    /** The port the proxy listens on. */
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
     * Closes the connection on the idle handler's reader-idle event, and measures how late that is.
     * Its {@link #before} half sits in front of the idle handler and notes the time of every read
     * (and of the start) a moment before the idle handler does; so the lateness it reports can
     * only be larger than the idle handler's own, by the nanoseconds between the two, and a close
     * it calls early is early beyond doubt.
     */
    private static final class IdleCloser extends ChannelInboundHandlerAdapter {
        private final long idleNanos;
        private final ServerMetrics metrics;
        private long lastRead;

        IdleCloser(long idleNanos, ServerMetrics metrics) {
            this.idleNanos = idleNanos;
            this.metrics = metrics;
        }

        /** The half that goes in front of the idle handler. */
        ChannelInboundHandlerAdapter before() {
            return new ChannelInboundHandlerAdapter() {
                @Override
                public void handlerAdded(ChannelHandlerContext ctx) {
                    lastRead = System.nanoTime();
                }

                @Override
                public void channelReadComplete(ChannelHandlerContext ctx) {
                    lastRead = System.nanoTime();
                    ctx.fireChannelReadComplete();
                }
            };
        }

        // Closing is the last word on this channel; nothing waits for it.
        @SuppressWarnings("FutureReturnValueIgnored")
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof IdleStateEvent e && e.state() == IdleState.READER_IDLE) {
                metrics.idleClosed(System.nanoTime() - (lastRead + idleNanos));
                ctx.close();
            } else {
                ctx.fireUserEventTriggered(evt);
            }
        }
    }

    /** The client side: connects to the backend on its own loop, then relays client bytes to it. */
    private static final class Frontend extends ChannelInboundHandlerAdapter {
        private final Config config;
        private Channel backend;

        Frontend(Config config) {
            this.config = config;
        }

        @Override
        // Closing the client is the last word on a failed connect; nothing waits for it.
        @SuppressWarnings("FutureReturnValueIgnored")
        public void channelActive(ChannelHandlerContext ctx) {
            Channel client = ctx.channel();
            backend = new Bootstrap()
                    .group(client.eventLoop()) // same loop: no hand-off between the two sides
                    .channel(config.transport().channel)
                    .option(ChannelOption.AUTO_READ, false)
                    .handler(new Relay(client))
                    .connect(config.backend())
                    .addListener((ChannelFutureListener) f -> {
                        if (f.isSuccess()) {
                            client.read();
                        } else {
                            client.close();
                        }
                    })
                    .channel();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            relay(ctx.channel(), backend, msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (backend != null) {
                closeOnFlush(backend);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            closeOnFlush(ctx.channel());
        }
    }

    /** The backend side: relays the backend's bytes to the client. */
    private static final class Relay extends ChannelInboundHandlerAdapter {
        private final Channel client;

        Relay(Channel client) {
            this.client = client;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.read();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            relay(ctx.channel(), client, msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            closeOnFlush(client);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            closeOnFlush(ctx.channel());
        }
    }

    /** Writes {@code msg} to {@code to}; reads the next message from {@code from} once it is written. */
    // Closing is the last word on a failed relay; nothing waits for it.
    @SuppressWarnings("FutureReturnValueIgnored")
    private static void relay(Channel from, Channel to, Object msg) {
        to.writeAndFlush(msg).addListener((ChannelFutureListener) f -> {
            if (f.isSuccess()) {
                from.read();
            } else {
                from.close();
            }
        });
    }

    /** Closes {@code ch} once what was written to it has gone out. */
    // Closing is the last word on this channel; nothing waits for it.
    @SuppressWarnings("FutureReturnValueIgnored")
    private static void closeOnFlush(Channel ch) {
        if (ch.isActive()) {
            ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        } else {
            ch.close();
        }
    }

    public static void main(String[] args) throws Exception {
        Options o =
                Options.parse(args, USAGE, Set.of("backend", "port", "idle", "transport", "threads"), Set.of("stock"));
        if (o == null) {
            return;
        }
        String backend = o.string("backend", null);
        if (backend == null) {
            throw new IllegalArgumentException("--backend HOST:PORT is required\n\n" + USAGE);
        }
        int colon = backend.lastIndexOf(':');
        Config config = new Config(
                Transport.named(o.string("transport", Transport.preferred().label())),
                o.flag("stock"),
                o.integer("threads", Runtime.getRuntime().availableProcessors()),
                o.integer("port", 0),
                new InetSocketAddress(
                        InetAddress.getAllByName(backend.substring(0, colon))[0],
                        Integer.parseInt(backend.substring(colon + 1))),
                o.duration("idle", Duration.ofSeconds(30)));
        IdleTimeoutProxy proxy = start(config);
        ServerControl.serve("IdleTimeoutProxy", proxy.port(), proxy.metrics(), proxy::close);
    }
}
