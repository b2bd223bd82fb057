package org.looptimer.bench.netty;

import io.netty.channel.Channel;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalIoHandler;
import io.netty.channel.local.LocalServerChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The transports a Netty benchmark can run on, chosen by the {@code transport} {@code @Param}:
 * {@code nio} (the default everywhere), {@code epoll} (Linux, native) and {@code local}
 * (in-JVM). Stock and looptimer groups get the same factory, so each comparison is on one
 * transport.
 */
enum Transport {
    NIO(
            NioIoHandler::newFactory,
            NioServerSocketChannel.class,
            NioSocketChannel.class,
            () -> new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)),
    EPOLL(
            EpollIoHandler::newFactory,
            EpollServerSocketChannel.class,
            EpollSocketChannel.class,
            () -> new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)),
    LOCAL(
            LocalIoHandler::newFactory,
            LocalServerChannel.class,
            LocalChannel.class,
            () -> new LocalAddress(LocalAddress.class)); // LocalAddress(Class) picks a fresh unique id

    // Holds a stateless method reference: immutable in fact.
    @SuppressWarnings("ImmutableEnumChecker")
    private final Supplier<IoHandlerFactory> factory;

    final Class<? extends ServerChannel> serverChannel;
    final Class<? extends Channel> channel;
    // Holds a stateless lambda: immutable in fact.
    @SuppressWarnings("ImmutableEnumChecker")
    private final Supplier<SocketAddress> bindAddress;

    Transport(
            Supplier<IoHandlerFactory> factory,
            Class<? extends ServerChannel> serverChannel,
            Class<? extends Channel> channel,
            Supplier<SocketAddress> bindAddress) {
        this.factory = factory;
        this.serverChannel = serverChannel;
        this.channel = channel;
        this.bindAddress = bindAddress;
    }

    /** The transport a {@code @Param} names, failing the trial at once if it cannot run here. */
    static Transport named(String name) {
        Transport t = valueOf(name.toUpperCase(Locale.ROOT));
        if (t == EPOLL && !Epoll.isAvailable()) {
            throw new IllegalStateException("transport=epoll is not available here", Epoll.unavailabilityCause());
        }
        return t;
    }

    IoHandlerFactory newFactory() {
        return factory.get();
    }

    SocketAddress bindAddress() {
        return bindAddress.get();
    }
}
