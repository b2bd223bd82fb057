package org.looptimer.bench.heartbeat;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.looptimer.bench.netty.CountingIoHandlerFactory;
import org.looptimer.core.Lateness;
import org.looptimer.netty.TimerEventLoop;
import org.looptimer.netty.TimerEventLoopGroup;

/**
 * Heartbeats at scale: {@code N} {@code scheduleAtFixedRate} heartbeats with a 30 s period and
 * random phases on one otherwise idle loop, and what they cost the loop: I/O polls (wake-ups) per
 * second and the loop thread's CPU, on NIO and epoll, for stock Netty and for
 * {@code TimerEventLoopGroup} without and with slack ({@code -Dlooptimer.slack}). Not JMH: the
 * quantity is an idle loop's rate over seconds, not the time of an operation.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar org.looptimer.bench.heartbeat.HeartbeatWakeups [timers] [seconds]
 * </pre>
 *
 * <p>Each row: the heartbeats are armed from the loop, the loop settles for 2 s, then polls and
 * CPU time are sampled over {@code seconds}; lateness is the loop's histogram over the whole row.
 */
public final class HeartbeatWakeups {

    private static final long PERIOD_NANOS = TimeUnit.SECONDS.toNanos(30);
    /** The first heartbeat comes after this, so none is late because the loop is still arming them. */
    private static final long SETUP_NANOS = TimeUnit.SECONDS.toNanos(2);

    private HeartbeatWakeups() {}

    public static void main(String[] args) throws Exception {
        int timers = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        System.out.printf(
                Locale.ROOT,
                "%d heartbeats, %d s period, random phases, one idle loop; %d s per row%n",
                timers,
                PERIOD_NANOS / 1_000_000_000L,
                seconds);
        System.out.printf(
                Locale.ROOT, "%-6s %-24s %12s %10s %s%n", "io", "loop", "polls/s", "CPU %", "lateness (looptimer)");
        for (String io : Epoll.isAvailable() ? new String[] {"epoll", "nio"} : new String[] {"nio"}) {
            Supplier<IoHandlerFactory> factory =
                    io.equals("epoll") ? EpollIoHandler::newFactory : NioIoHandler::newFactory;
            row(io, "stock", timers, seconds, factory, null);
            row(io, "looptimer", timers, seconds, factory, "0ms");
            row(io, "looptimer slack=10ms", timers, seconds, factory, "10ms");
        }
    }

    private static void row(
            String io, String name, int timers, int seconds, Supplier<IoHandlerFactory> factory, String slack)
            throws Exception {
        CountingIoHandlerFactory counting = new CountingIoHandlerFactory(factory.get());
        EventLoopGroup group;
        if (slack == null) {
            group = new MultiThreadIoEventLoopGroup(1, counting);
        } else {
            System.setProperty("looptimer.slack", slack); // read as the loop is made
            try {
                group = new TimerEventLoopGroup(1, counting);
            } finally {
                System.clearProperty("looptimer.slack");
            }
        }
        try {
            EventLoop loop = group.next();
            long threadId = loop.submit(() -> Thread.currentThread().getId()).get();
            loop.submit(() -> {
                        SplittableRandom random = new SplittableRandom(42);
                        Runnable beat = () -> {};
                        for (int i = 0; i < timers; i++) {
                            long phase = SETUP_NANOS + random.nextLong(PERIOD_NANOS); // none due while arming
                            var unused = loop.scheduleAtFixedRate(
                                    beat, phase, PERIOD_NANOS, TimeUnit.NANOSECONDS); // never cancelled
                        }
                    })
                    .get();
            TimeUnit.SECONDS.sleep(3); // settle: the JIT and the first wake-ups
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            long polls0 = counting.polls();
            long cpu0 = threads.getThreadCpuTime(threadId);
            long t0 = System.nanoTime();
            TimeUnit.SECONDS.sleep(seconds);
            long elapsed = System.nanoTime() - t0;
            double pollsPerSecond = (counting.polls() - polls0) * 1e9 / elapsed;
            double cpuPercent = (threads.getThreadCpuTime(threadId) - cpu0) * 100.0 / elapsed;
            String lateness = loop instanceof TimerEventLoop t
                    ? describe(t.timers().stats().lateness())
                    : "";
            System.out.printf(
                    Locale.ROOT, "%-6s %-24s %12.0f %10.1f %s%n", io, name, pollsPerSecond, cpuPercent, lateness);
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    private static String describe(Lateness late) {
        return late.toString();
    }
}
