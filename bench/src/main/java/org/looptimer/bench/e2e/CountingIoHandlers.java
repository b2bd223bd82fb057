package org.looptimer.bench.e2e;

import io.netty.channel.IoHandle;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.IoRegistration;
import io.netty.util.concurrent.ThreadAwareExecutor;
import java.util.concurrent.atomic.LongAdder;

/**
 * An {@link IoHandlerFactory} decorator that counts, over every loop of a group, the polls
 * ({@code IoHandler.run}) and the wake-ups ({@code IoHandler.wakeup}, from any thread): the same
 * yardstick for a stock group and a looptimer group, through Netty's public API only. Everything
 * else is delegated, and {@code register} returns the delegate's {@link IoRegistration}
 * unchanged.
 *
 * <p>Threads: many loops and any waking thread count at once, so both counts are
 * {@link LongAdder}s (striped, no shared cache line on the loops' path). Any thread may read them.
 */
final class CountingIoHandlers implements IoHandlerFactory {

    private final IoHandlerFactory delegate;
    private final LongAdder polls = new LongAdder();
    private final LongAdder wakeups = new LongAdder();

    CountingIoHandlers(IoHandlerFactory delegate) {
        this.delegate = delegate;
    }

    long polls() {
        return polls.sum();
    }

    long wakeups() {
        return wakeups.sum();
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
                polls.increment();
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
                wakeups.increment();
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
