package org.looptimer.netty;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * The bootstraps Netty's socket test suite runs with, on {@link TimerEventLoopGroup}s: NIO and,
 * where the kernel has it, epoll. Groups are shared and run on daemon threads, as Netty's own
 * {@code SocketTestPermutation} does.
 */
final class TimerLoopPermutations {

    private static final TimerEventLoopGroup NIO =
            new TimerEventLoopGroup(2, new DefaultThreadFactory("timer-suite-nio", true), NioIoHandler.newFactory());
    private static final TimerEventLoopGroup EPOLL = Epoll.isAvailable()
            ? new TimerEventLoopGroup(
                    2, new DefaultThreadFactory("timer-suite-epoll", true), EpollIoHandler.newFactory())
            : null;

    private TimerLoopPermutations() {}

    static List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> socket() {
        List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> combos = new ArrayList<>();
        combos.add(combo(NIO, NioServerSocketChannel.class, NioSocketChannel.class));
        if (EPOLL != null) {
            combos.add(combo(EPOLL, EpollServerSocketChannel.class, EpollSocketChannel.class));
        }
        return combos;
    }

    private static BootstrapComboFactory<ServerBootstrap, Bootstrap> combo(
            TimerEventLoopGroup group,
            Class<? extends io.netty.channel.ServerChannel> server,
            Class<? extends io.netty.channel.Channel> client) {
        return new BootstrapComboFactory<>() {
            @Override
            public ServerBootstrap newServerInstance() {
                return new ServerBootstrap().group(group).channel(server);
            }

            @Override
            public Bootstrap newClientInstance() {
                return new Bootstrap().group(group).channel(client);
            }
        };
    }
}
