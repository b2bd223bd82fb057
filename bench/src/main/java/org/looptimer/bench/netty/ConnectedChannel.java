package org.looptimer.bench.netty;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import java.util.concurrent.TimeUnit;

/**
 * A real, active client channel registered on a loop, connected to a server on the same loop
 * (loopback TCP, or the local transport): what a handler benchmark needs so that the handler sees
 * its real executor and its timers land on the real loop. {@code EmbeddedChannel} would run them
 * elsewhere.
 *
 * <p>Auto-read is off on the client, so a synthetic {@code fireChannelReadComplete} does not ask
 * the transport for a read: the pipeline does only what the handlers under test do.
 *
 * <p>Threads: created and closed by the benchmark thread; the channel is used on its loop.
 */
final class ConnectedChannel implements AutoCloseable {

    private final Channel server;
    final Channel client;

    /**
     * Binds a server on the group's loop and connects a client whose pipeline is
     * {@code clientHandler} (typically a {@code ChannelInitializer}); waits until it is active.
     */
    ConnectedChannel(EventLoopGroup group, Transport transport, ChannelHandler clientHandler) {
        server = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannel)
                .childHandler(new ChannelInboundHandlerAdapter())
                .bind(transport.bindAddress())
                .syncUninterruptibly()
                .channel();
        client = new Bootstrap()
                .group(group)
                .channel(transport.channel)
                .option(ChannelOption.AUTO_READ, false)
                .handler(clientHandler)
                .connect(server.localAddress())
                .syncUninterruptibly()
                .channel();
        if (!client.isActive()) {
            throw new IllegalStateException("client channel not active: " + client);
        }
    }

    @Override
    public void close() {
        client.close().awaitUninterruptibly(10, TimeUnit.SECONDS);
        server.close().awaitUninterruptibly(10, TimeUnit.SECONDS);
    }
}
