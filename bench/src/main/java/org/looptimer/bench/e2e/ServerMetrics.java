package org.looptimer.bench.e2e;

import com.google.gson.JsonObject;
import com.sun.management.UnixOperatingSystemMXBean;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.lang.management.OperatingSystemMXBean;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.looptimer.bench.netty.CountingIoHandlerFactory;

/**
 * What a server process counts about itself, reported as JSON by {@link ServerControl}: the
 * handlers' events (idle closes and their lateness, deadlines fired, heartbeats sent), the loops'
 * polls and wake-ups, and the JVM's own CPU time, allocation and heap.
 *
 * <p>Threads: the event loops record (every counter is a {@link LongAdder}, the lateness a
 * wait-free {@link Recorder}, so loops never contend); {@link #snapshot} is for one thread, the
 * control thread.
 */
final class ServerMetrics {

    private final LongAdder accepted = new LongAdder();
    private final LongAdder open = new LongAdder();
    private final LongAdder requests = new LongAdder();
    private final LongAdder idleCloses = new LongAdder();
    private final LongAdder earlyIdleCloses = new LongAdder();
    private final LongAdder deadlinesFired = new LongAdder();
    private final LongAdder heartbeatsSent = new LongAdder();
    private final LongAdder deadPeerCloses = new LongAdder();
    private final Recorder idleLateness = new Recorder(3);
    private final CountingIoHandlerFactory loops;
    private final ChannelHandler connectionCounter = new ConnectionCounter();

    // --- the control thread only ---
    private final Histogram latenessSoFar = new Histogram(3);
    private Histogram recycled;

    ServerMetrics(CountingIoHandlerFactory loops) {
        this.loops = loops;
    }

    /** A sharable handler, first in every child pipeline, that counts accepted and open connections. */
    ChannelHandler connectionCounter() {
        return connectionCounter;
    }

    void requestReceived() {
        requests.increment();
    }

    /**
     * An idle connection is being closed {@code latenessNanos} after its idle deadline, measured
     * from the handler's own view of the last activity; negative means early.
     */
    void idleClosed(long latenessNanos) {
        idleCloses.increment();
        if (latenessNanos < 0) {
            earlyIdleCloses.increment();
        } else {
            idleLateness.recordValue(latenessNanos);
        }
    }

    void deadlineFired() {
        deadlinesFired.increment();
    }

    void heartbeatSent() {
        heartbeatsSent.increment();
    }

    void deadPeerClosed() {
        deadPeerCloses.increment();
    }

    long idleCloses() {
        return idleCloses.sum();
    }

    long earlyIdleCloses() {
        return earlyIdleCloses.sum();
    }

    long deadlinesFired() {
        return deadlinesFired.sum();
    }

    long heartbeatsSent() {
        return heartbeatsSent.sum();
    }

    long openConnections() {
        return open.sum();
    }

    /**
     * Every counter now, plus the process's CPU time, bytes allocated by its live threads, heap in
     * use and open-file limit. With {@code gc}, collects first so the heap figure is live data.
     * The control thread only.
     */
    JsonObject snapshot(boolean gc) {
        if (gc) {
            System.gc();
            System.gc();
        }
        recycled = idleLateness.getIntervalHistogram(recycled);
        latenessSoFar.add(recycled);

        JsonObject o = new JsonObject();
        o.addProperty("cpuNanos", processCpuNanos());
        o.addProperty("allocatedBytes", allocatedBytes());
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        o.addProperty("heapUsedBytes", heap.getUsed());
        o.addProperty("acceptedConnections", accepted.sum());
        o.addProperty("openConnections", open.sum());
        o.addProperty("requests", requests.sum());
        o.addProperty("idleCloses", idleCloses.sum());
        o.addProperty("earlyIdleCloses", earlyIdleCloses.sum());
        o.addProperty("idleLatenessP50Nanos", latenessSoFar.getValueAtPercentile(50));
        o.addProperty("idleLatenessP99Nanos", latenessSoFar.getValueAtPercentile(99));
        o.addProperty("idleLatenessMaxNanos", latenessSoFar.getMaxValue());
        o.addProperty("deadlinesFired", deadlinesFired.sum());
        o.addProperty("heartbeatsSent", heartbeatsSent.sum());
        o.addProperty("deadPeerCloses", deadPeerCloses.sum());
        o.addProperty("polls", loops.polls());
        o.addProperty("wakeups", loops.wakeups());
        o.addProperty("openFileLimit", openFileLimit());
        return o;
    }

    static long processCpuNanos() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : -1;
    }

    /** The open-file limit of this process, or -1 where the JVM cannot tell. */
    static long openFileLimit() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof UnixOperatingSystemMXBean unix ? unix.getMaxFileDescriptorCount() : -1;
    }

    /** Bytes allocated so far by the live threads: the event loops live as long as the server. */
    private static long allocatedBytes() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        if (!(threads instanceof com.sun.management.ThreadMXBean sun)) {
            return -1;
        }
        long sum = 0;
        for (long bytes : sun.getThreadAllocatedBytes(threads.getAllThreadIds())) {
            if (bytes > 0) {
                sum += bytes;
            }
        }
        return sum;
    }

    @ChannelHandler.Sharable
    private final class ConnectionCounter extends ChannelInboundHandlerAdapter {
        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            accepted.increment();
            open.increment();
            ctx.fireChannelActive();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            open.decrement();
            ctx.fireChannelInactive();
        }
    }
}
