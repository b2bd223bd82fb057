package org.looptimer.bench.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Recorder;

/**
 * An echo connection across two loops: the server echoes on the loop under test, the client runs
 * on a loop of its own and sends one 8-byte ping (its send time) at a time, either every
 * {@code pacingNanos} or, with pacing 0, as soon as the last reply came back. Round trips go into
 * an HdrHistogram {@link Recorder}; the slowest and the count of those that completed inside a
 * window are kept for the burst suite.
 *
 * <p>Threads: construction and {@link #close} on the driver; the handlers on the client loop; the
 * window bounds are volatile, set by the driver and read by the client loop.
 */
final class EchoClient implements AutoCloseable {

    final Recorder roundTrips = new Recorder(3);
    private final MultiThreadIoEventLoopGroup clientGroup =
            new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;
    private final Channel client;
    private final long pacingNanos;

    /** Client loop only. */
    private boolean outstanding;
    /** Client loop only; read by the driver after {@link #sync()}. */
    private long windowCount;

    private long windowMax;
    /** Set by the driver: round trips completing from then on count; MAX_VALUE while unset. */
    private volatile long windowStart = Long.MAX_VALUE;
    /** Set by the driver: round trips sent after it no longer count toward the window's maximum. */
    private volatile long windowEnd = Long.MAX_VALUE;

    EchoClient(EventLoop serverLoop, long pacingNanos) throws InterruptedException {
        this.pacingNanos = pacingNanos;
        server = new ServerBootstrap()
                .group(serverLoop, serverLoop)
                .channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            @Override
                            // An echo write that fails closes the connection; the client sees that.
                            @SuppressWarnings("FutureReturnValueIgnored")
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                ctx.writeAndFlush(msg);
                            }
                        });
                    }
                })
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .sync()
                .channel();
        client = new Bootstrap()
                .group(clientGroup)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new SimpleChannelInboundHandler<ByteBuf>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
                        while (msg.readableBytes() >= Long.BYTES) {
                            reply(msg.readLong());
                        }
                    }
                })
                .connect(server.localAddress())
                .sync()
                .channel();
    }

    /** Starts the pings. */
    // Pacing runs until the client group shuts down; nothing waits for the future.
    @SuppressWarnings("FutureReturnValueIgnored")
    void start() {
        if (pacingNanos > 0) {
            client.eventLoop().scheduleAtFixedRate(this::ping, 0, pacingNanos, TimeUnit.NANOSECONDS);
        } else {
            client.eventLoop().execute(this::ping);
        }
    }

    // A lost ping shows as a missing round trip; there is nothing to do about a failed write.
    @SuppressWarnings("FutureReturnValueIgnored")
    private void ping() {
        if (outstanding) {
            return;
        }
        outstanding = true;
        client.writeAndFlush(client.alloc().buffer(Long.BYTES).writeLong(System.nanoTime()));
    }

    private void reply(long sent) {
        long now = System.nanoTime();
        long rtt = now - sent;
        roundTrips.recordValue(rtt);
        outstanding = false;
        if (now >= windowStart && sent <= windowEnd) {
            windowCount++;
            windowMax = Math.max(windowMax, rtt);
        }
        if (pacingNanos == 0) {
            ping();
        }
    }

    void openWindow(long startNanos) {
        windowStart = startNanos;
    }

    void closeWindow(long endNanos) {
        windowEnd = endNanos;
    }

    /** Driver: the window's round trips so far, {count, max ns}, read on the client loop. */
    long[] window() throws InterruptedException {
        long[] out = new long[2];
        LoadSuite.onLoop(client.eventLoop(), () -> {
            out[0] = windowCount;
            out[1] = windowMax;
        });
        return out;
    }

    void sync() throws InterruptedException {
        LoadSuite.onLoop(client.eventLoop(), () -> {});
    }

    @Override
    public void close() {
        client.close().syncUninterruptibly();
        server.close().syncUninterruptibly();
        clientGroup.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
