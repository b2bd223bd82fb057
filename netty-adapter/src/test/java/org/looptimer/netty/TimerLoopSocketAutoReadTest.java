package org.looptimer.netty;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.socket.SocketAutoReadTest;
import java.util.List;

/** Netty's own {@link SocketAutoReadTest}, run on {@link TimerEventLoopGroup}s over loopback. */
class TimerLoopSocketAutoReadTest extends SocketAutoReadTest {
    @Override
    protected List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> newFactories() {
        return TimerLoopPermutations.socket();
    }
}
