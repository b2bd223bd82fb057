package org.looptimer.netty;

import io.netty.channel.IoHandle;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.IoRegistration;
import io.netty.util.concurrent.ThreadAwareExecutor;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Test instrument: an {@link IoHandlerFactory} whose handlers count every {@code wakeup()} call
 * and every {@code run()} (poll), whoever makes it. Wrapping any loop in it, stock or ours, gives
 * the same yardstick.
 */
final class CountingIoHandlerFactory implements IoHandlerFactory {

    final AtomicLong wakeups = new AtomicLong();
    final AtomicLong polls = new AtomicLong();
    private final IoHandlerFactory delegate;

    CountingIoHandlerFactory(IoHandlerFactory delegate) {
        this.delegate = delegate;
    }

    @Override
    public IoHandler newHandler(ThreadAwareExecutor ioExecutor) {
        IoHandler handler = delegate.newHandler(ioExecutor);
        return new IoHandler() {
            @Override
            public void initialize() {
                handler.initialize();
            }

            @Override
            public int run(IoHandlerContext context) {
                polls.incrementAndGet();
                return handler.run(context);
            }

            @Override
            public void prepareToDestroy() {
                handler.prepareToDestroy();
            }

            @Override
            public void destroy() {
                handler.destroy();
            }

            @Override
            public IoRegistration register(IoHandle handle) throws Exception {
                return handler.register(handle);
            }

            @Override
            public void wakeup() {
                wakeups.incrementAndGet();
                handler.wakeup();
            }

            @Override
            public boolean isCompatible(Class<? extends IoHandle> handleType) {
                return handler.isCompatible(handleType);
            }
        };
    }

    @Override
    public boolean isChangingThreadSupported() {
        return delegate.isChangingThreadSupported();
    }
}
