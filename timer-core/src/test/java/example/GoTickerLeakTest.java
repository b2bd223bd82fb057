package example;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.looptimer.core.LeakDetection;
import org.looptimer.core.ManualClock;
import org.looptimer.core.TimerHeap;
import org.looptimer.core.TimerSite;
import org.looptimer.core.Timers;

/**
 * The Go article's bug: tickers made in a loop whose handles are dropped, so nothing can ever stop
 * them. With leak detection on, each is reported once with the line that made it. This test sits
 * outside looptimer's packages, as an application does, so that its own line is the site.
 */
class GoTickerLeakTest {

    private static final int TICKERS = 200;
    private static final Logger LEAK_LOG = Logger.getLogger("org.looptimer.core.LeakTracker");

    private final List<String> errors = new CopyOnWriteArrayList<>();
    /** This test's tickers' task: its name tells this test's reports from earlier tests' ones. */
    private final Runnable tick = new Runnable() {
        private final String name = "tick#" + System.identityHashCode(this);

        @Override
        public void run() {}

        @Override
        public String toString() {
            return name;
        }
    };

    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            if (r.getLevel().intValue() >= Level.SEVERE.intValue()
                    && r.getMessage().contains(tick + "]")) {
                errors.add(r.getMessage());
            }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    @BeforeEach
    void captureTheLeakLog() {
        LEAK_LOG.addHandler(capture);
    }

    @AfterEach
    void release() {
        LEAK_LOG.removeHandler(capture);
        System.clearProperty(LeakDetection.STOP_PROPERTY);
    }

    /** The leak: a ticker whose handle nobody keeps. Returns the line that made it. */
    private static int startTicker(Timers timers, Runnable task) {
        timers.scheduleTicker(task, 1, SECONDS); // Go: for { <-time.Tick(time.Second) ... }
        return new Throwable().getStackTrace()[0].getLineNumber() - 1;
    }

    @Test
    void droppedTickersAreReportedOnceWithTheLineThatMadeThem() {
        TimerHeap heap = TimerHeap.builder()
                .clock(new ManualClock())
                .leakDetection(LeakDetection.ALL)
                .build();
        int line = 0;
        for (int i = 0; i < TICKERS; i++) {
            line = startTicker(heap.timers(), tick);
        }
        String site = "example.GoTickerLeakTest.startTicker(GoTickerLeakTest.java:" + line + ")";
        assertEquals(List.of(new TimerSite(site, TICKERS)), heap.topSites(3));

        awaitLeaks(() -> heap.stats().leaked(), TICKERS);

        assertEquals(TICKERS, heap.stats().leaked());
        assertEquals(TICKERS, errors.size(), "logged once each");
        assertTrue(errors.get(0).contains("Ticker[pending") && errors.get(0).contains(site), errors.get(0));
        assertEquals(TICKERS, heap.stats().pendingTimers(), "reported, not stopped, by default");
    }

    @Test
    void withTheStopPropertyLeakedTickersAreAlsoStopped() {
        System.setProperty(LeakDetection.STOP_PROPERTY, "true");
        TimerHeap heap = TimerHeap.builder()
                .clock(new ManualClock())
                .leakDetection(LeakDetection.ALL)
                .build();
        for (int i = 0; i < TICKERS; i++) {
            startTicker(heap.timers(), tick);
        }
        awaitLeaks(() -> heap.stats().pendingTimers() == 0 ? TICKERS : 0, TICKERS);

        assertEquals(TICKERS, heap.stats().leaked());
        assertEquals(0, heap.stats().pendingTimers(), "as Go 1.23 collects unreferenced timers");
        assertEquals(List.of(), heap.topSites(3));
        assertTrue(errors.get(0).contains("stopped it"), errors.get(0));
    }

    @Test
    void heldHandlesAndStoppedTimersAreNeverReported() {
        TimerHeap heap = TimerHeap.builder()
                .clock(new ManualClock())
                .leakDetection(LeakDetection.ALL)
                .build();
        var kept = heap.timers().scheduleTicker(() -> {}, 1, SECONDS);
        for (int i = 0; i < TICKERS; i++) {
            heap.timers().scheduleTicker(() -> {}, 1, SECONDS).stop();
        }
        startTicker(heap.timers(), tick); // one real leak, so that we know the cleaner has run
        awaitLeaks(() -> heap.stats().leaked(), 1);
        System.gc(); // the stopped ones were dropped in the same collection, or in this one

        assertEquals(1, heap.stats().leaked());
        assertTrue(kept.isPending());
    }

    @Test
    void disabledDetectionRecordsNothing() {
        TimerHeap heap = TimerHeap.builder()
                .clock(new ManualClock())
                .leakDetection(LeakDetection.DISABLED)
                .build();
        startTicker(heap.timers(), tick);
        assertEquals(List.of(), heap.topSites(3));
    }

    /** Collects garbage until {@code expected} leaks are counted; bounded at 60 s, no fixed sleep. */
    private static void awaitLeaks(LongSupplier leaked, long expected) {
        long deadline = System.nanoTime() + SECONDS.toNanos(60);
        while (leaked.getAsLong() < expected && System.nanoTime() < deadline) {
            System.gc(); // the cleaner thread reports what this collection found
            LockSupport.parkNanos(MILLISECONDS.toNanos(5)); // and gets a core to do it
        }
    }
}
