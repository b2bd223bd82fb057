package org.looptimer.bench.e2e;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The TCP transports the end-to-end programs run on ({@code --transport nio|epoll|io_uring}).
 * Stock Netty and looptimer get the same {@link IoHandlerFactory}, so a comparison is one switch.
 */
public enum Transport {
    NIO(NioIoHandler::newFactory, NioServerSocketChannel.class, NioSocketChannel.class),
    EPOLL(EpollIoHandler::newFactory, EpollServerSocketChannel.class, EpollSocketChannel.class),
    IO_URING(IoUringIoHandler::newFactory, IoUringServerSocketChannel.class, IoUringSocketChannel.class);

    // Holds a stateless method reference: immutable in fact.
    @SuppressWarnings("ImmutableEnumChecker")
    private final Supplier<IoHandlerFactory> factory;

    /** The server channel class for {@code ServerBootstrap.channel(...)}. */
    public final Class<? extends ServerChannel> serverChannel;

    /** The client channel class for {@code Bootstrap.channel(...)}. */
    public final Class<? extends SocketChannel> channel;

    Transport(
            Supplier<IoHandlerFactory> factory,
            Class<? extends ServerChannel> serverChannel,
            Class<? extends SocketChannel> channel) {
        this.factory = factory;
        this.serverChannel = serverChannel;
        this.channel = channel;
    }

    /** A new factory of this transport's I/O handlers, one per event loop group. */
    public IoHandlerFactory newFactory() {
        return factory.get();
    }

    /** Whether this transport works here (epoll and io_uring need Linux and their native library). */
    public boolean isAvailable() {
        return switch (this) {
            case NIO -> true;
            case EPOLL -> Epoll.isAvailable();
            case IO_URING -> IoUring.isAvailable();
        };
    }

    /** What production proxies use: epoll where it works, else NIO. */
    public static Transport preferred() {
        return EPOLL.isAvailable() ? EPOLL : NIO;
    }

    /**
     * The transport {@code name} ({@code nio}, {@code epoll}, {@code io_uring}) names.
     *
     * @throws IllegalArgumentException if the name is unknown or the transport cannot run here
     */
    public static Transport named(String name) {
        Transport t;
        try {
            t = valueOf(name.toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown transport '" + name + "' (use nio, epoll or io_uring)", e);
        }
        if (!t.isAvailable()) {
            throw new IllegalArgumentException("transport " + t.label() + " is not available here");
        }
        return t;
    }

    /** The name as {@code --transport} spells it. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
