package org.looptimer.bench.netty;

import io.netty.channel.IoHandle;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.IoRegistration;
import io.netty.util.concurrent.ThreadAwareExecutor;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.LongAdder;

/**
 * An {@link IoHandlerFactory} decorator whose handlers count every {@code wakeup()} call and every
 * {@code run()} (one I/O poll), whoever makes it: the same yardstick for a stock loop and a
 * looptimer loop. Everything else is delegated, and {@code register} returns the delegate's
 * {@link IoRegistration} unchanged, so channels behave as on the bare transport.
 *
 * <p>Threads: {@code wakeup()} is called by any thread, so its count is a {@link LongAdder}
 * (striped: two scheduling threads do not contend on one cache line, keeping the instrument's own
 * cost small and equal for both loops). {@code run()} is called by the loop only, so its count is
 * a plain increment published with an opaque store. The counts may be read by any thread.
 */
public final class CountingIoHandlerFactory implements IoHandlerFactory {

    private static final VarHandle POLLS;

    static {
        try {
            POLLS = MethodHandles.lookup().findVarHandle(CountingIoHandlerFactory.class, "polls", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final IoHandlerFactory delegate;
    private final LongAdder wakeups = new LongAdder();
    /** Written by the one loop this factory's handler serves. */
    private long polls;

    public CountingIoHandlerFactory(IoHandlerFactory delegate) {
        this.delegate = delegate;
    }

    /** {@code IoHandler.wakeup()} calls so far. Any thread. */
    public long wakeups() {
        return wakeups.sum();
    }

    /** {@code IoHandler.run()} calls (polls) so far. Any thread. */
    public long polls() {
        return (long) POLLS.getOpaque(this);
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
                // Opaque: a whole value for readers on other threads, no fence on the loop's path.
                POLLS.setOpaque(CountingIoHandlerFactory.this, polls + 1);
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
