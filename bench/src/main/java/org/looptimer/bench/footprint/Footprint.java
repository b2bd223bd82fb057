package org.looptimer.bench.footprint;

import io.netty.channel.EventLoop;
import io.netty.channel.local.LocalIoHandler;
import io.netty.util.HashedWheelTimer;
import io.netty.util.TimerTask;
import io.netty.util.concurrent.Ticker;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.ref.Reference;
import java.util.SplittableRandom;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.agrona.DeadlineTimerWheel;
import org.looptimer.bench.fixture.AgronaWheels;
import org.looptimer.bench.fixture.DaemonThreads;
import org.looptimer.bench.fixture.Delays;
import org.looptimer.bench.fixture.PeekableIoEventLoop;
import org.looptimer.core.ManualClock;
import org.looptimer.core.TimerHeap;
import org.looptimer.netty.TimerEventLoopGroup;
import org.openjdk.jol.info.ClassLayout;
import org.openjdk.jol.info.GraphLayout;
import org.openjdk.jol.vm.VM;

/**
 * Bytes per pending one-shot timer, for looptimer and the peers: not a JMH benchmark, a main that
 * prints a table. Run it in its own JVM with ParallelGC (as {@code bench/run} does), so that "heap
 * used after a full GC" counts bytes rather than G1 regions.
 *
 * <p>Three figures per implementation:
 * <ul>
 *   <li><b>layout</b>: JOL's shallow size of the objects allocated per timer, plus the bytes of
 *       the timer's slot in the structure's arrays (looptimer: {@code long} key + {@code int}
 *       sequence + reference = 16 B with compressed oops in the near heap, the worst case; a timer
 *       due more than two seconds out waits in the far wheel, reference + sequence = 8 B; Netty's heap and the JDK pool: one
 *       reference; Agrona: one {@code long}). The structural floor.
 *   <li><b>heap delta</b>: heap used after a full GC with {@code N} pending timers minus the same
 *       structure empty, over {@code N}: everything, including array slack after doubling.
 *   <li><b>JOL graph</b> (looptimer only): JOL's retained size of the {@code TimerHeap} graph with
 *       {@code N} timers minus the empty heap's graph, over {@code N}. The peers' graphs reach
 *       their threads and class loaders, so JOL cannot bound them the same way.
 * </ul>
 *
 * <p>Every timer shares one task object, so the figures are the timer's own cost. Usage:
 * {@code java -XX:+UseParallelGC -Xmx3g -cp benchmarks.jar org.looptimer.bench.footprint.Footprint [timers]}
 */
public final class Footprint {

    private static final int DEFAULT_TIMERS = 1_000_000;
    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

    /** The one task every timer shares; a named class so JOL never meets a hidden lambda class. */
    static final class SharedTask implements Runnable, TimerTask {
        @Override
        public void run() {}

        @Override
        public void run(io.netty.util.Timeout timeout) {}
    }

    /**
     * Lets the footprint JVM's main thread own the heap without capturing a {@link Thread}: with
     * the default owner check, JOL's graph walk would follow the thread into its class loader and
     * count half the JVM. No operation here is measured for speed.
     */
    static final class AlwaysOwner implements BooleanSupplier {
        @Override
        public boolean getAsBoolean() {
            return true;
        }
    }

    private static final SharedTask TASK = new SharedTask();

    private Footprint() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : DEFAULT_TIMERS;
        long oop = (VM.current().sizeOf(new Object[64]) - VM.current().sizeOf(new Object[0])) / 64;
        long slot = Long.BYTES + Integer.BYTES + oop; // key + sequence + reference: the near heap's
        long wheelSlot = Integer.BYTES + oop; // sequence + reference: a far wheel bucket's
        System.out.printf(
                "Footprint: bytes per pending one-shot timer, %,d timers sharing one task"
                        + " (reference %d B, object header %d B, alignment %d B)%n",
                n, oop, VM.current().objectHeaderSize(), VM.current().objectAlignment());
        System.out.printf(
                "  %-44s %-46s %7s %10s %9s%n",
                "implementation", "per-timer objects + slot", "layout", "heap delta", "JOL graph");

        long timer = shallow("org.looptimer.core.HeapTimer");
        long[] looptimer = looptimer(n);
        double measured = looptimer[0] / (double) n;
        row(
                "looptimer TimerHeap",
                "HeapTimer " + timer + " + slot " + slot + " (heap) / " + wheelSlot + " (wheel)",
                timer + slot,
                measured,
                looptimer[1] / (double) n);

        long sft = shallow("io.netty.util.concurrent.ScheduledFutureTask");
        row(
                "Netty event loop (schedule)",
                "ScheduledFutureTask " + sft + " + slot " + oop,
                sft + oop,
                nettyEventLoop(n) / (double) n,
                Double.NaN);

        long future = shallow("org.looptimer.netty.LoopScheduledFuture$OfRunnable");
        double timerLoop = timerEventLoop(n) / (double) n;
        row(
                "looptimer TimerEventLoop (schedule)",
                "LoopScheduledFuture " + future + " + slot " + slot,
                future + slot,
                timerLoop,
                Double.NaN);

        long hwt = shallow("io.netty.util.HashedWheelTimer$HashedWheelTimeout");
        row(
                "Netty HashedWheelTimer (newTimeout)",
                "HashedWheelTimeout " + hwt,
                hwt,
                hashedWheel(n) / (double) n,
                Double.NaN);

        long jdkTask = shallow("java.util.concurrent.ScheduledThreadPoolExecutor$ScheduledFutureTask");
        long adapter = shallow("java.util.concurrent.Executors$RunnableAdapter");
        row(
                "JDK ScheduledThreadPoolExecutor (schedule)",
                "ScheduledFutureTask " + jdkTask + " + adapter " + adapter + " + slot " + oop,
                jdkTask + adapter + oop,
                jdkPool(n) / (double) n,
                Double.NaN);

        row(
                "Agrona DeadlineTimerWheel (deadline only)",
                "none + slot 8 (ids only, no task)",
                8,
                agronaWheel(n) / (double) n,
                Double.NaN);

        System.out.printf(
                "  looptimer ticker (PeriodicTimer): %d B + slot %d B%n",
                shallow("org.looptimer.core.PeriodicTimer"), slot);
        System.out.println("  layout = shallow sizes + slot. heap delta = measured, incl. array slack:"
                + " looptimer's and Netty's arrays double (1M lands in a 2^20 array), the JDK's grow"
                + " by half, Agrona's wheel (sized ~16 per spoke) widens every spoke to the fullest"
                + " one's power of two.");
        System.out.printf(
                "  target <= 64 B per pending EventLoop.schedule timer incl. its slot: layout %d B %s,"
                        + " measured %.1f B %s%n",
                future + slot, future + slot <= 64 ? "MET" : "MISSED", timerLoop, timerLoop <= 64 ? "MET" : "MISSED");
        long layout = timer + slot;
        System.out.printf(
                "  target <= 48 B per pending one-shot timer incl. its slot: layout %d B %s," + " measured %.1f B%s%n",
                layout,
                layout <= 48 ? "MET" : "MISSED",
                measured,
                measured <= 48 ? " MET" : layout <= 48 ? " (the excess is array slack)" : " MISSED");
    }

    private static void row(String name, String objects, long layout, double delta, double graph) {
        System.out.printf(
                "  %-44s %-46s %5d B %8.1f B %9s%n",
                name, objects, layout, delta, Double.isNaN(graph) ? "-" : String.format("%.1f B", graph));
    }

    private static long shallow(String className) throws ClassNotFoundException {
        return ClassLayout.parseClass(Class.forName(className)).instanceSize();
    }

    /** @return {heap delta bytes, JOL graph delta bytes} */
    private static long[] looptimer(int n) {
        TimerHeap empty = newHeap();
        long emptyGraph = GraphLayout.parseInstance(empty).totalSize();
        empty.close();

        TimerHeap heap = newHeap();
        long before = usedAfterGc();
        SplittableRandom random = Delays.setupRandom();
        for (int i = 0; i < n; i++) {
            heap.schedule(TASK, Delays.setupDelay(random), TimeUnit.NANOSECONDS);
        }
        long delta = usedAfterGc() - before;
        long graph = GraphLayout.parseInstance(heap).totalSize() - emptyGraph;
        heap.close();
        return new long[] {delta, graph};
    }

    private static TimerHeap newHeap() {
        return TimerHeap.builder()
                .clock(new ManualClock())
                .ownerCheck(new AlwaysOwner())
                .build();
    }

    // The scheduler keeps each future; holding them here too would add to the footprint measured.
    @SuppressWarnings("FutureReturnValueIgnored")
    private static long nettyEventLoop(int n) {
        PeekableIoEventLoop loop = new PeekableIoEventLoop(LocalIoHandler.newFactory(), Ticker.systemTicker());
        long before = usedAfterGc();
        SplittableRandom random = Delays.setupRandom();
        for (int i = 0; i < n; i++) {
            loop.schedule(TASK, Delays.setupDelay(random), TimeUnit.NANOSECONDS);
        }
        long delta = usedAfterGc() - before;
        loop.shutdownAndDrain();
        return delta;
    }

    /**
     * Netty's {@code EventLoop.schedule} on a {@code TimerEventLoop}, armed on the loop: the future
     * is the heap's timer, so this is one object plus its slot.
     */
    // The loop keeps each future; holding them here too would add to the footprint measured.
    @SuppressWarnings("FutureReturnValueIgnored")
    private static long timerEventLoop(int n) throws InterruptedException {
        TimerEventLoopGroup group = new TimerEventLoopGroup(1, LocalIoHandler.newFactory());
        try {
            EventLoop loop = group.next();
            loop.submit(() -> {}).sync();
            long before = usedAfterGc();
            loop.submit(() -> {
                        SplittableRandom random = Delays.setupRandom();
                        for (int i = 0; i < n; i++) {
                            loop.schedule(TASK, Delays.setupDelay(random), TimeUnit.NANOSECONDS);
                        }
                    })
                    .sync();
            return usedAfterGc() - before;
        } finally {
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private static long hashedWheel(int n) throws InterruptedException {
        HashedWheelTimer timer =
                new HashedWheelTimer(new DaemonThreads("hashed-wheel"), 1, TimeUnit.MILLISECONDS, 512, false, -1);
        timer.start();
        long before = usedAfterGc();
        SplittableRandom random = Delays.setupRandom();
        for (int i = 0; i < n; i++) {
            timer.newTimeout(TASK, Delays.setupDelay(random), TimeUnit.NANOSECONDS);
        }
        Thread.sleep(200 + n / 10_000); // the worker moves 100,000 per 1 ms tick into buckets
        long delta = usedAfterGc() - before;
        timer.stop();
        return delta;
    }

    // The scheduler keeps each future; holding them here too would add to the footprint measured.
    @SuppressWarnings("FutureReturnValueIgnored")
    private static long jdkPool(int n) {
        ScheduledThreadPoolExecutor pool = new ScheduledThreadPoolExecutor(1, new DaemonThreads("jdk-scheduled"));
        pool.setRemoveOnCancelPolicy(true);
        pool.prestartAllCoreThreads();
        long before = usedAfterGc();
        SplittableRandom random = Delays.setupRandom();
        for (int i = 0; i < n; i++) {
            pool.schedule(TASK, Delays.setupDelay(random), TimeUnit.NANOSECONDS);
        }
        long delta = usedAfterGc() - before;
        pool.shutdownNow();
        return delta;
    }

    private static long agronaWheel(int n) {
        DeadlineTimerWheel wheel = AgronaWheels.forChurn(n, 0);
        try {
            long before = usedAfterGc();
            SplittableRandom random = Delays.setupRandom();
            for (int i = 0; i < n; i++) {
                wheel.scheduleTimer(Delays.setupDelay(random));
            }
            return usedAfterGc() - before;
        } finally {
            Reference.reachabilityFence(wheel);
        }
    }

    /**
     * Heap used after full GCs, repeated until it stops falling: on a fresh JVM the first
     * collections leave startup garbage behind (seen: 16 MB), which would skew the first delta.
     */
    private static long usedAfterGc() {
        long last = Long.MAX_VALUE;
        for (int round = 0; round < 8; round++) {
            System.gc();
            System.gc();
            long used = MEMORY.getHeapMemoryUsage().getUsed();
            if (last - used < 64 * 1024) {
                return Math.min(used, last);
            }
            last = used;
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return used;
            }
        }
        return last;
    }
}
