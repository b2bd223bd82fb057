package org.looptimer.netty;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.ScheduledFuture;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.looptimer.core.TimerStats;

/**
 * A future that is cancelled, has run, or has failed no longer reaches its task, even while its
 * stopped timer still waits in the heap for the loop to drop it (as Netty's {@code PromiseTask} and
 * the JDK's {@code FutureTask} let go of theirs). A server that cancels a keep-alive per request must
 * not pin each request's encoder until a sweep.
 */
class ScheduledFutureReleasesTaskTest {

    private static final int FUTURES = 64;
    private static final int PENDING = 100_000;

    private TimerEventLoopGroup group;
    private TimerEventLoop loop;

    @BeforeEach
    void start() throws Exception {
        group = new TimerEventLoopGroup(1, NioIoHandler.newFactory());
        loop = group.next();
        // Pending timers that keep the heap busy: cancelled entries stay in it, lazily, for a while.
        loop.submit(() -> {
                    for (int i = 0; i < PENDING; i++) {
                        loop.timers().schedule(() -> {}, 1 + i % 60, TimeUnit.MINUTES);
                    }
                })
                .sync();
    }

    @AfterEach
    void stop() {
        Loops.shutdown(group);
    }

    /** A task that holds 1 MiB, as an encoder would, and the weak reference that watches it. */
    private static final class BigTask implements Runnable {
        private final byte[] payload = new byte[1 << 20];

        @Override
        public void run() {
            if (payload.length == 0) {
                throw new AssertionError();
            }
        }
    }

    @Test
    void futuresCancelledFromAnotherThreadLetGoOfTheirTasksWhileTheirEntriesWaitInTheHeap() {
        List<ScheduledFuture<?>> futures = new ArrayList<>();
        List<WeakReference<Runnable>> tasks = new ArrayList<>();
        for (int i = 0; i < FUTURES; i++) {
            BigTask task = new BigTask();
            tasks.add(new WeakReference<>(task));
            futures.add(loop.schedule(task, 30, TimeUnit.MINUTES));
        }
        for (ScheduledFuture<?> f : futures) {
            assertTrue(f.cancel(false));
        }
        TimerStats waiting = loop.timers().stats();
        assertTrue(
                waiting.deletedEntries() + waiting.inboxDepth() > 0,
                "the cancelled timers wait in the heap or its inbox, lazily: " + waiting);
        assertAllCollected(tasks, "tasks of futures cancelled from another thread");
        for (ScheduledFuture<?> f : futures) {
            assertTrue(f.isCancelled()); // the futures themselves are still held here
        }
    }

    @Test
    void aFutureCancelledOnTheLoopWithAListenerLetsGoOfItsTask() throws Exception {
        List<WeakReference<Runnable>> tasks = new ArrayList<>();
        List<ScheduledFuture<?>> futures = loop.submit(() -> {
                    List<ScheduledFuture<?>> fs = new ArrayList<>();
                    for (int i = 0; i < FUTURES; i++) {
                        BigTask task = new BigTask();
                        tasks.add(new WeakReference<>(task));
                        ScheduledFuture<?> f = loop.schedule(task, 30, TimeUnit.MINUTES);
                        if (i % 2 == 0) {
                            f.addListener(future -> {}); // the promise is built: it must not pin the task either
                        }
                        assertTrue(f.cancel(false));
                        fs.add(f);
                    }
                    return fs;
                })
                .get(10, TimeUnit.SECONDS);
        assertAllCollected(tasks, "tasks of futures cancelled on the loop");
        assertFalse(futures.isEmpty());
    }

    @Test
    void completedAndFailedFuturesLetGoOfTheirTasks() throws Exception {
        List<WeakReference<Object>> tasks = new ArrayList<>();
        List<ScheduledFuture<?>> futures = new ArrayList<>();
        for (int i = 0; i < FUTURES / 2; i++) {
            BigTask task = new BigTask();
            tasks.add(new WeakReference<>(task));
            futures.add(loop.schedule(task, 1, TimeUnit.MILLISECONDS));
            byte[] held = new byte[1 << 20];
            tasks.add(new WeakReference<>(held));
            futures.add(loop.scheduleAtFixedRate(
                    () -> {
                        throw new IllegalStateException("fails with " + held.length + " bytes held");
                    },
                    1,
                    1,
                    TimeUnit.MILLISECONDS));
        }
        for (ScheduledFuture<?> f : futures) {
            assertTrue(f.await(10, TimeUnit.SECONDS));
        }
        assertAllCollected(tasks, "tasks of futures that completed or failed");
    }

    @Test
    void aCancelledPeriodicFutureLetsGoOfItsTask() {
        BigTask task = new BigTask();
        WeakReference<Runnable> ref = new WeakReference<>(task);
        ScheduledFuture<?> f = loop.scheduleWithFixedDelay(task, 1, 1, TimeUnit.MILLISECONDS);
        task = null; // only the future holds it now
        assertTrue(f.cancel(false));
        assertAllCollected(List.of(ref), "the task of a cancelled periodic future");
    }

    /** Collects garbage until every referent is gone, for up to 10 s. */
    private static void assertAllCollected(List<? extends WeakReference<?>> refs, String what) {
        Loops.await(what + " collected", () -> {
            System.gc();
            return refs.stream().allMatch(ref -> ref.get() == null);
        });
    }
}
