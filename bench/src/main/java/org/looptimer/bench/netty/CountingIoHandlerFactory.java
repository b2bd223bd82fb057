package org.looptimer.bench.netty;

import io.netty.channel.IoHandle;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.IoRegistration;
import io.netty.util.concurrent.ThreadAwareExecutor;
import java.util.concurrent.atomic.LongAdder;

/**
 * An {@link IoHandlerFactory} decorator whose handlers count every {@code wakeup()} call and every
 * {@code run()} (one I/O poll), whoever makes it: the same yardstick for a stock loop and a
 * looptimer loop. Everything else is delegated, and {@code register} returns the delegate's
 * {@link IoRegistration} unchanged, so channels behave as on the bare transport.
 *
 * <p>Threads: {@code wakeup()} is called by any thread and {@code run()} by every loop of the
 * group the factory serves, so both counts are {@link LongAdder}s (striped: two threads do not
 * contend on one cache line, keeping the instrument's own cost small and equal for both kinds of
 * loop). The counts may be read by any thread.
 */
public final class CountingIoHandlerFactory implements IoHandlerFactory {

    private final IoHandlerFactory delegate;
    private final LongAdder wakeups = new LongAdder();
    private final LongAdder polls = new LongAdder();

    public CountingIoHandlerFactory(IoHandlerFactory delegate) {
        this.delegate = delegate;
    }

    /** {@code IoHandler.wakeup()} calls so far. Any thread. */
    public long wakeups() {
        return wakeups.sum();
    }

    /** {@code IoHandler.run()} calls (polls) so far. Any thread. */
    public long polls() {
        return polls.sum();
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
