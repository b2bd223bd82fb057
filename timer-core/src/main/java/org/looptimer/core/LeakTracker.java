package org.looptimer.core;

import java.lang.ref.Cleaner;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;

/**
 * A heap's leak detection ({@link LeakDetection}): the creation sites of recorded timers, which of
 * them are pending, and the report of pending timers whose handle the application dropped.
 *
 * <p>Everything lives beside the timers, never in them, so a heap with detection disabled has no
 * tracker and pays one null check per schedule. A recorded timer is handed to the application as a
 * {@link TrackedHandle} registered with a shared {@link Cleaner}; the cleaning action holds the
 * heap's entry and its site, never the handle. When the handle becomes unreachable the action runs
 * on the cleaner's thread: if the timer is still pending, it is leaked.
 *
 * <p>Pending counts per site are computed on demand by {@link #topSites} from the recorded timers'
 * words, so no stop, run or close has to look the timer up: recording costs nothing after the
 * schedule. Recorded timers stay in {@link #recorded} until the application drops their handle.
 *
 * <p>Threads: every method, any thread. {@link #recorded} is a concurrent set; {@link #leaked} a
 * {@link LongAdder} (leaks are rare, reads are stats).
 */
final class LeakTracker {

    /** {@link LeakDetection#SAMPLED} records about one timer in this many. */
    static final int SAMPLE_ONE_IN = 128;

    private static final System.Logger LOG = System.getLogger(LeakTracker.class.getName());

    private static final StackWalker WALKER = StackWalker.getInstance();

    private final boolean all;
    private final boolean stopLeaked;
    private final Set<Recorded> recorded = ConcurrentHashMap.newKeySet();
    private final LongAdder leaked = new LongAdder();

    private LeakTracker(LeakDetection level, boolean stopLeaked) {
        this.all = level == LeakDetection.ALL;
        this.stopLeaked = stopLeaked;
    }

    /** The tracker for {@code level}, or null for {@link LeakDetection#DISABLED}. */
    static LeakTracker create(LeakDetection level, boolean stopLeaked) {
        return level == LeakDetection.DISABLED ? null : new LeakTracker(level, stopLeaked);
    }

    /**
     * Any thread, right after {@code timer} was armed: the handle to give the application. A timer
     * that is not sampled is its own handle.
     */
    TimerHandle track(HeapTimer timer) {
        if (!all && ThreadLocalRandom.current().nextInt(SAMPLE_ONE_IN) != 0) {
            return timer;
        }
        TrackedHandle handle = new TrackedHandle(timer);
        Recorded r = new Recorded(this, timer, creationSite());
        recorded.add(r);
        Cleanup.CLEANER.register(handle, r);
        return handle;
    }

    /** The recorded sites with the most pending timers, most first, at most {@code n}. */
    List<TimerSite> topSites(int n) {
        if (n <= 0) {
            throw new IllegalArgumentException("n must be > 0, was " + n);
        }
        Map<String, Long> pending = new HashMap<>();
        for (Recorded r : recorded) {
            if (r.timer.isPending()) {
                pending.merge(r.site, 1L, Long::sum);
            }
        }
        List<TimerSite> sites = new ArrayList<>(pending.size());
        pending.forEach((site, count) -> sites.add(new TimerSite(site, count)));
        sites.sort(Comparator.comparingLong(TimerSite::pending).reversed().thenComparing(TimerSite::site));
        return sites.size() > n ? List.copyOf(sites.subList(0, n)) : sites;
    }

    /** For a rejection message: the site with the most pending timers, if any was recorded. */
    Optional<TimerSite> topSite() {
        List<TimerSite> top = topSites(1);
        return top.isEmpty() ? Optional.empty() : Optional.of(top.get(0));
    }

    long leaked() {
        return leaked.sum();
    }

    /** Cleaner thread: the handle of {@code r} became unreachable. */
    private void handleDropped(Recorded r) {
        recorded.remove(r);
        if (!r.timer.isPending()) {
            return;
        }
        boolean stopped = stopLeaked && r.timer.stop();
        leaked.increment();
        LOG.log(
                System.Logger.Level.ERROR,
                "LEAK: " + r.timer + " can never be stopped: the application dropped its handle"
                        + " while it was pending; created at " + r.site
                        + (stopped ? "; stopped it (" : "; left pending (-D")
                        + LeakDetection.STOP_PROPERTY
                        + (stopped ? "=true)" : "=true stops it)"));
    }

    /** The first frame outside looptimer's library packages, Netty and the JDK's reflection. */
    private static String creationSite() {
        return WALKER.walk(frames -> frames.filter(f -> !isLibrary(f.getClassName()))
                .findFirst()
                .map(f -> f.getClassName() + "." + f.getMethodName() + "(" + f.getFileName() + ":" + f.getLineNumber()
                        + ")")
                .orElse("unknown"));
    }

    private static boolean isLibrary(String className) {
        return className.startsWith("org.looptimer.core.")
                || className.startsWith("org.looptimer.netty.")
                || className.startsWith("io.netty.");
    }

    /** A recorded timer: the cleaning action of its handle. Holds the entry, never the handle. */
    private static final class Recorded implements Runnable {
        final LeakTracker tracker;
        final HeapTimer timer;
        final String site;

        Recorded(LeakTracker tracker, HeapTimer timer, String site) {
            this.tracker = tracker;
            this.timer = timer;
            this.site = site;
        }

        @Override
        public void run() {
            tracker.handleDropped(this);
        }
    }

    /** One cleaner thread for every heap, started by the first recorded timer. */
    private static final class Cleanup {
        static final Cleaner CLEANER = Cleaner.create();
    }
}
