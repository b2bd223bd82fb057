package org.looptimer.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.looptimer.bench.report.Row;

/**
 * The load suites do the work they claim, at sizes that run in a second or two: lateness fires
 * timers at the asked rate and records every run, a burst drains every timer, and memory returns
 * a figure (or, for JDK 25's pool on an older JDK, a row saying why not).
 */
class LoadSuiteTest {

    private final LoadSuite suite = new LoadSuite(
            2_000, 10_000, TimeUnit.MILLISECONDS.toNanos(200), TimeUnit.MILLISECONDS.toNanos(500), 20_000, 20_000);

    private static Map<String, Row> byUnit(List<Row> rows) {
        return rows.stream().collect(Collectors.toMap(Row::unit, r -> r));
    }

    @ParameterizedTest
    @ValueSource(strings = {"looptimer", "nettyEventLoop", "hashedWheel1ms", "jdkScheduledPool"})
    void latenessFiresAtTheAskedRateAndReportsEveryPercentile(String peer) throws Exception {
        Map<String, Row> rows = byUnit(suite.lateness(peer));

        // The rate itself is a measurement (a loaded machine stalls any loop), so only its presence
        // is checked here; heldTimerReArmsOnePeriodAfterItsDeadline checks the mechanism.
        assertTrue(rows.get("fires/s").score() >= 0);
        for (String unit : List.of("p50-late-ns", "p99-late-ns", "p99.9-late-ns", "max-late-ns")) {
            assertTrue(rows.get(unit).isMeasured(), unit);
        }
        assertTrue(rows.get("p50-late-ns").score() <= rows.get("max-late-ns").score());
        assertTrue(rows.get("echo-p99-ns").score() >= 0);
        assertEquals(
                "liveTimers=2000,firesPerSecond=10000", rows.get("p99-late-ns").params());
    }

    @Test
    void heldTimerRecordsItsLatenessAndReArmsOnePeriodAfterItsDeadline() throws Exception {
        List<Long> delays = new ArrayList<>();
        Recorder lateness = new Recorder(3);
        try (TimerPeer peer = new TimerPeer("fake", new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory())) {
            @Override
            boolean onEchoLoop() {
                return false;
            }

            @Override
            Object schedule(Runnable task, long delayNanos) {
                delays.add(delayNanos);
                return task;
            }

            @Override
            void stop(Object handle) {}
        }) {
            boolean[] stopping = {false};
            LoadSuite.HeldTimer timer = new LoadSuite.HeldTimer(peer, lateness, 1_000_000_000L, stopping);
            timer.deadline = System.nanoTime() - 5_000_000; // ran 5 ms late

            timer.run();
            stopping[0] = true;
            timer.run();

            Histogram recorded = lateness.getIntervalHistogram();
            assertEquals(2, recorded.getTotalCount(), "every run is recorded");
            assertTrue(recorded.getMaxValue() >= 5_000_000, "at least 5 ms late: " + recorded.getMaxValue());
            assertEquals(1, delays.size(), "re-armed once, then not after stopping");
            long delay = delays.get(0);
            assertTrue(
                    delay > 990_000_000L - 5_000_000 && delay <= 995_000_000L,
                    "one period after the deadline: " + delay);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"looptimer", "nettyEventLoop"})
    void aBurstDrainsEveryTimerAndCountsTheEchoRoundTrips(String peer) throws Exception {
        Map<String, Row> rows = byUnit(suite.burst(peer));

        // burst() throws unless every one of the 20,000 timers ran.
        assertTrue(rows.get("drain-ms").score() >= 0);
        assertTrue(rows.get("echo-round-trips").isMeasured());
        assertEquals("liveTimers=20000", rows.get("drain-ms").params());
    }

    @ParameterizedTest
    @ValueSource(strings = {"looptimer", "jdkScheduledPoolKeepCancelled", "jdk25ForkJoinPool"})
    void memoryReportsWhatStoppedTimersStillHold(String peer) throws Exception {
        Row row = suite.memory(peer);

        assertEquals("retained-B/timer", row.unit());
        if (peer.equals("jdk25ForkJoinPool") && !Jdk25.hasScheduledForkJoinPool()) {
            assertTrue(row.skipped().contains("JDK 25"), row.skipped());
        } else {
            assertNull(row.skipped());
            assertTrue(row.score() >= 0);
        }
        if (peer.equals("jdkScheduledPoolKeepCancelled")) {
            assertTrue(row.score() > 16, "a pool that keeps cancelled tasks holds them until their deadline: " + row);
        }
    }
}
