package org.looptimer.bench.hold;

import io.netty.channel.local.LocalIoHandler;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.agrona.DeadlineTimerWheel;
import org.looptimer.bench.fixture.AgronaWheels;
import org.looptimer.bench.fixture.BenchmarkThread;
import org.looptimer.bench.fixture.Delays;
import org.looptimer.bench.fixture.LiveTimers;
import org.looptimer.bench.fixture.ManualTicker;
import org.looptimer.bench.fixture.PeekableIoEventLoop;
import org.looptimer.core.ManualClock;
import org.looptimer.core.TimerHandle;
import org.looptimer.core.TimerHeap;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Hold: the classic priority-queue "hold" model at {@code liveTimers} live timers. One operation
 * moves time to the earliest deadline, expires that one timer through the implementation's own
 * expiry path, and its callback arms a new timer at now + a delay from {@link Delays}
 * ([1 h, 2 h)). The live count stays constant; the timer population churns through the whole
 * structure, so at 1M this is dominated by cache and TLB misses.
 *
 * <ul>
 *   <li>{@code looptimer}: a {@link ManualClock} set to {@code nextDeadlineNanos()}, then
 *       {@code runDue(now)}; the callback calls {@code schedule} (a new timer object per expiry,
 *       like Netty's).
 *   <li>{@code looptimerReset}: the same, but the callback re-arms its own handle with
 *       {@code reset}: no allocation.
 *   <li>{@code nettyEventLoop}: Netty's event-loop scheduler in a {@code ManualIoEventLoop} owned
 *       by the benchmark thread with a {@link ManualTicker}: the ticker is set to the earliest
 *       deadline, then {@code runNow()} (Netty's real path: the due task moves to the task queue
 *       and runs) and the callback calls {@code schedule}. {@code runNow()} also runs the
 *       {@code LocalIoHandler}'s non-blocking poll, an I/O step looptimer's row does not have
 *       (a few nanoseconds).
 *   <li>{@code looptimerEqual} and {@code nettyEventLoopEqual}: the same, but every callback
 *       re-arms with one fixed delay (1 h), as a server with one request timeout does: every new
 *       deadline is later than every live one, so deadlines arrive in the order they are armed.
 *   <li>{@code agronaWheel}: Agrona's wheel has no "earliest deadline" query, so the operation
 *       drives it as its owner would: {@code poll(now, handler, 1)} tick after tick until one
 *       timer expires. The tick is chosen so that one tick is about the mean time between
 *       expiries ({@link AgronaWheels#forHold}), the wheel's best case; every empty tick walked
 *       is charged to the operation, as it would be in a real loop. Not exactly the heaps'
 *       procedure: expiry happens at tick ends, not at the deadline.
 * </ul>
 *
 * <p>Not compared: {@code HashedWheelTimer} and the JDK pool expire on their own worker threads
 * against the real clock; neither can be driven with a manual clock, so they have no hold row.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch", "-XX:+UseG1GC"})
public class HoldBenchmark {

    // ------------------------------------------------------------------------------------------

    @State(Scope.Thread)
    public static class Looptimer {
        @Param({"10000", "1000000"})
        int liveTimers;

        final ManualClock clock = new ManualClock();
        final Delays delays = new Delays();
        TimerHeap heap;
        BenchmarkThread thread;

        /** One shared callback: arms a new timer, as a server arms a new timeout per request. */
        final Runnable reschedule = new Runnable() {
            @Override
            public void run() {
                heap.schedule(this, nextDelay(), TimeUnit.NANOSECONDS);
            }
        };

        long nextDelay() {
            return delays.next();
        }

        @Setup(Level.Trial)
        public void setUp() {
            thread = new BenchmarkThread();
            heap = TimerHeap.builder().clock(clock).build();
            SplittableRandom random = Delays.setupRandom();
            for (int i = 0; i < liveTimers; i++) {
                heap.schedule(reschedule, Delays.setupDelay(random), TimeUnit.NANOSECONDS);
            }
        }

        @Setup(Level.Iteration)
        public void checkThread() {
            thread.check();
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            LiveTimers.closeExpecting(heap, liveTimers);
        }
    }

    @Benchmark
    public int looptimer(Looptimer s) {
        long next = s.heap.nextDeadlineNanos();
        s.clock.set(next);
        return s.heap.runDue(next);
    }

    /** Every expiry re-arms the one timeout a server uses: new deadlines arrive in order. */
    @State(Scope.Thread)
    public static class LooptimerEqual extends Looptimer {
        @Override
        long nextDelay() {
            return Delays.MIN_NANOS;
        }
    }

    @Benchmark
    public int looptimerEqual(LooptimerEqual s) {
        return looptimer(s);
    }

    // ------------------------------------------------------------------------------------------

    @State(Scope.Thread)
    public static class LooptimerReset {
        @Param({"10000", "1000000"})
        int liveTimers;

        final ManualClock clock = new ManualClock();
        final Delays delays = new Delays();
        TimerHeap heap;
        BenchmarkThread thread;

        /** A callback per timer that re-arms its own handle: the ticker-like, allocation-free way. */
        final class Rearm implements Runnable {
            TimerHandle handle;

            @Override
            public void run() {
                handle.reset(delays.next(), TimeUnit.NANOSECONDS);
            }
        }

        @Setup(Level.Trial)
        public void setUp() {
            thread = new BenchmarkThread();
            heap = TimerHeap.builder().clock(clock).build();
            SplittableRandom random = Delays.setupRandom();
            for (int i = 0; i < liveTimers; i++) {
                Rearm rearm = new Rearm();
                rearm.handle = heap.schedule(rearm, Delays.setupDelay(random), TimeUnit.NANOSECONDS);
            }
        }

        @Setup(Level.Iteration)
        public void checkThread() {
            thread.check();
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            LiveTimers.closeExpecting(heap, liveTimers);
        }
    }

    @Benchmark
    public int looptimerReset(LooptimerReset s) {
        long next = s.heap.nextDeadlineNanos();
        s.clock.set(next);
        return s.heap.runDue(next);
    }

    // ------------------------------------------------------------------------------------------

    @State(Scope.Thread)
    public static class NettyEventLoop {
        @Param({"10000", "1000000"})
        int liveTimers;

        final ManualTicker ticker = new ManualTicker();
        final Delays delays = new Delays();
        PeekableIoEventLoop loop;
        BenchmarkThread thread;

        final Runnable reschedule = new Runnable() {
            // Each run re-arms itself; the loop holds the future, as it holds every live timer.
            @SuppressWarnings("FutureReturnValueIgnored")
            @Override
            public void run() {
                loop.schedule(this, nextDelay(), TimeUnit.NANOSECONDS);
            }
        };

        long nextDelay() {
            return delays.next();
        }

        // The held timers re-arm themselves as they fire; none is ever awaited or cancelled.
        @SuppressWarnings("FutureReturnValueIgnored")
        @Setup(Level.Trial)
        public void setUp() {
            thread = new BenchmarkThread();
            loop = new PeekableIoEventLoop(LocalIoHandler.newFactory(), ticker);
            SplittableRandom random = Delays.setupRandom();
            for (int i = 0; i < liveTimers; i++) {
                loop.schedule(reschedule, Delays.setupDelay(random), TimeUnit.NANOSECONDS);
            }
        }

        @Setup(Level.Iteration)
        public void checkThread() {
            thread.check();
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            loop.shutdownAndDrain();
        }
    }

    @Benchmark
    public int nettyEventLoop(NettyEventLoop s) {
        s.ticker.set(s.loop.nextDeadlineNanos());
        return s.loop.runNow();
    }

    /** As {@link LooptimerEqual}: one timeout for every re-arm. */
    @State(Scope.Thread)
    public static class NettyEventLoopEqual extends NettyEventLoop {
        @Override
        long nextDelay() {
            return Delays.MIN_NANOS;
        }
    }

    @Benchmark
    public int nettyEventLoopEqual(NettyEventLoopEqual s) {
        return nettyEventLoop(s);
    }

    // ------------------------------------------------------------------------------------------

    @State(Scope.Thread)
    public static class AgronaWheel {
        @Param({"10000", "1000000"})
        int liveTimers;

        final Delays delays = new Delays();
        DeadlineTimerWheel wheel;
        long now;
        DeadlineTimerWheel.TimerHandler reschedule;

        @Setup(Level.Trial)
        public void setUp() {
            wheel = AgronaWheels.forHold(liveTimers, 0);
            reschedule = (unit, nowNanos, timerId) -> {
                wheel.scheduleTimer(nowNanos + delays.next());
                return true;
            };
            SplittableRandom random = Delays.setupRandom();
            for (int i = 0; i < liveTimers; i++) {
                wheel.scheduleTimer(Delays.setupDelay(random));
            }
            // Skip the first hour of empty ticks, which no other row has to walk.
            wheel.currentTickTime(Delays.MIN_NANOS - wheel.tickResolution());
            now = wheel.currentTickTime();
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            if (wheel.timerCount() != liveTimers) {
                throw new IllegalStateException("live timers drifted: " + wheel.timerCount());
            }
        }
    }

    @Benchmark
    public int agronaWheel(AgronaWheel s) {
        DeadlineTimerWheel wheel = s.wheel;
        long now = s.now;
        int expired;
        while ((expired = wheel.poll(now, s.reschedule, 1)) == 0) {
            now = wheel.currentTickTime(); // the end of the current tick: the next one to walk
        }
        s.now = now;
        return expired;
    }
}
