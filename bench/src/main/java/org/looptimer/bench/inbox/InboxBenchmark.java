package org.looptimer.bench.inbox;

import java.util.concurrent.TimeUnit;
import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.MpscUnboundedArrayQueue;
import org.jctools.queues.MpscUnboundedXaddArrayQueue;
import org.jctools.queues.varhandle.MpscUnboundedVarHandleArrayQueue;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Control;

/**
 * timer-core's inbox queue (other threads hand timers to the owner thread), JCTools' VarHandle
 * build, against the Unsafe build it replaced, used the way the inbox uses it: producers {@code offer}, the single
 * consumer {@code drain(consumer, 65536)} and checks {@code isEmpty()}.
 *
 * <p>{@code impl} selects the queue:
 * <ul>
 *   <li>{@code unsafe}: {@code org.jctools.queues.MpscUnboundedXaddArrayQueue(1024, 4)} from
 *       jctools-core, what the inbox used to build (XADD producers, 4 pooled chunks;
 *       {@code sun.misc.Unsafe} underneath, which JDK 24+ warns about at start-up).
 *   <li>{@code varhandle}: {@code org.jctools.queues.varhandle.MpscUnboundedVarHandleArrayQueue(1024)}
 *       from jctools-core-jdk11, what the inbox builds now. jctools-core-jdk11 4.0.7 has no XADD
 *       queue: this is the closest one, a different algorithm (CAS on the producer index; it wraps around inside its
 *       1024-slot chunk and links a newly allocated chunk only when that one is full, and it never
 *       reuses a chunk), so a difference is not VarHandle against Unsafe alone.
 *   <li>{@code unsafeLinked} (not run by default; {@code -p impl=unsafe,varhandle,unsafeLinked}):
 *       {@code org.jctools.queues.MpscUnboundedArrayQueue(1024)} from jctools-core, the Unsafe
 *       build of the same algorithm as {@code varhandle}: separates the algorithm from the access
 *       mechanism.
 * </ul>
 * Every fork builds one implementation only, so the queue call sites stay monomorphic.
 *
 * <p>The elements are {@value #BATCH} preallocated objects, offered again and again: the
 * queues' own allocation is all that {@code -prof gc} sees. The consumer callback only counts.
 * For the group rows {@code gc.alloc.rate.norm} is per JMH operation of all threads together,
 * not per element: bytes per element = {@code gc.alloc.rate} / elements per second.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 8, time = 1)
@Fork(value = 3, jvmArgsAppend = "-XX:+UseG1GC")
public class InboxBenchmark {

    /** Elements offered, then drained, per invocation of {@link #singleThreadOfferDrain}. */
    public static final int BATCH = 64;
    /** The inbox's chunk size and drain limit; the pooled chunks of the XADD queue it replaced. */
    static final int CHUNK = 1024;

    static final int POOLED_CHUNKS = 4;
    static final int DRAIN_LIMIT = 65536;
    /** Producers check the queue's size every this many offers. */
    static final int CHECK_EVERY = 64;

    /** Which queue; one {@code @Param} shared by the single-thread and the group states. */
    @State(Scope.Benchmark)
    public static class Impl {
        @Param({"unsafe", "varhandle"})
        String impl;
    }

    /** A queue, the elements to offer, and a consumer callback that only counts. */
    public abstract static class Inbox {
        String impl;
        MessagePassingQueue<Object> queue;
        final Object[] elements = new Object[BATCH];
        /** Written by the consumer callback only. */
        long consumed;

        final MessagePassingQueue.Consumer<Object> consumer = e -> consumed++;

        void build(Impl which) {
            impl = which.impl;
            queue = newQueue(impl);
            for (int i = 0; i < BATCH; i++) {
                elements[i] = new Object();
            }
        }
    }

    /** The single-thread benchmark's own queue. */
    @State(Scope.Thread)
    public static class Single extends Inbox {
        @Setup(Level.Trial)
        public void setUp(Impl which) {
            build(which);
        }
    }

    /** The queue shared by a group's producers and its consumer. */
    @State(Scope.Group)
    public static class Shared extends Inbox {
        /**
         * Producers stop offering while the queue holds more than this many elements (checked
         * every {@value #CHECK_EVERY} offers, so it may overshoot by that much per producer), so
         * it cannot grow without bound. 512: the backlog fits in one 1024-slot chunk, so neither
         * queue allocates. 2048: it spans chunks; the XADD queue reuses its 4 pooled chunks, the
         * VarHandle queue allocates a chunk each time its current one fills.
         */
        @Param({"512", "2048"})
        int bound;

        @Setup(Level.Trial)
        public void setUp(Impl which) {
            build(which);
        }

        /**
         * What a group iteration leaves behind (at most about {@link #bound} plus what producers
         * offered while the consumer had already stopped) is removed, so every iteration starts
         * empty. JMH runs this after all threads of the group have finished the iteration.
         */
        @TearDown(Level.Iteration)
        public void emptyQueue() {
            while (queue.poll() != null) {
                // discard
            }
        }
    }

    static MessagePassingQueue<Object> newQueue(String impl) {
        return switch (impl) {
            case "unsafe" -> new MpscUnboundedXaddArrayQueue<>(CHUNK, POOLED_CHUNKS);
            case "varhandle" -> new MpscUnboundedVarHandleArrayQueue<>(CHUNK);
            case "unsafeLinked" -> new MpscUnboundedArrayQueue<>(CHUNK);
            default -> throw new IllegalArgumentException("impl: " + impl);
        };
    }

    /** A producer thread's own offer counter. */
    @State(Scope.Thread)
    public static class Producer {
        int offers;
    }

    /** Elements the consumer drained: the group rows' per-element figure. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Drained {
        public long elements;

        @Setup(Level.Iteration)
        public void reset() {
            elements = 0;
        }
    }

    /**
     * (a) One thread offers {@value #BATCH} elements, then drains them with
     * {@code drain(consumer, 65536)} and checks {@code isEmpty()}: the uncontended cost per
     * element of the whole hand-over (offer + drain), with the queue's chunk crossings (every
     * 1024 elements) amortised in. Score: ns per element; {@code gc.alloc.rate.norm}: bytes per
     * element.
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int singleThreadOfferDrain(Single s) {
        MessagePassingQueue<Object> q = s.queue;
        Object[] e = s.elements;
        for (int i = 0; i < BATCH; i++) {
            q.offer(e[i]);
        }
        int n = q.drain(s.consumer, DRAIN_LIMIT);
        if (n != BATCH || !q.isEmpty()) {
            throw new IllegalStateException(s.impl + ": drained " + n + " of " + BATCH);
        }
        return n;
    }

    /**
     * (b) One producer thread offers, one consumer thread drains, concurrently (2 threads). The
     * row to read is the consumer's {@code elements} counter: ns per element that went through
     * the queue (end-to-end throughput = 1 / score). The {@code offer} row (ns per offer per
     * producer thread, back-off included) and the {@code drain} row (ns per drain call, empty ones
     * included) are diagnostics only: a producer held back by the bound makes few, long
     * operations, and they dominate JMH's average over threads.
     */
    @Benchmark
    @Group("oneProducer")
    public void oneProducerOffer(Shared s, Producer p, Control control) {
        offer(s, p, control);
    }

    /** The consumer side of {@code oneProducer}: see {@link #oneProducerOffer}. */
    @Benchmark
    @Group("oneProducer")
    public int oneProducerDrain(Shared s, Drained d, Control control) {
        return drain(s, d, control);
    }

    /**
     * (b') Two producer threads offer, one consumer drains: three threads, which oversubscribes a
     * 2-core machine (the back-offs yield, so a descheduled consumer is not starved for long);
     * figures as in {@link #oneProducerOffer}.
     */
    @Benchmark
    @Group("twoProducers")
    @GroupThreads(2)
    public void twoProducersOffer(Shared s, Producer p, Control control) {
        offer(s, p, control);
    }

    /** The consumer side of {@code twoProducers}: see {@link #twoProducersOffer}. */
    @Benchmark
    @Group("twoProducers")
    public int twoProducersDrain(Shared s, Drained d, Control control) {
        return drain(s, d, control);
    }

    /**
     * Offers one element. Every {@value #CHECK_EVERY} offers the producer yields while the queue
     * holds more than {@link Shared#bound} elements, so the queue cannot grow without bound. The
     * wait also ends when JMH stops measuring: the consumer may already have returned for good, and waiting on
     * it then would hang the iteration.
     */
    // Back-pressure on two cores: yielding lets the consumer run instead of spinning against it.
    @SuppressWarnings("ThreadPriorityCheck")
    private static void offer(Shared s, Producer p, Control control) {
        MessagePassingQueue<Object> q = s.queue;
        int n = ++p.offers;
        if ((n & (CHECK_EVERY - 1)) == 0) {
            int bound = s.bound;
            while (q.size() > bound && !control.stopMeasurement) {
                Thread.yield();
            }
        }
        q.offer(s.elements[n & (BATCH - 1)]);
    }

    /**
     * Drains what is there, as the owner thread does; yields when there was nothing. Counts only
     * elements drained while JMH measures: it also calls this method before and after the
     * measured window (while the group's other threads start and stop), and those drains are not
     * in the time the counter is divided by.
     */
    // An empty drain yields, as the owner would block: spinning would starve the producers.
    @SuppressWarnings("ThreadPriorityCheck")
    private static int drain(Shared s, Drained d, Control control) {
        int n = s.queue.drain(s.consumer, DRAIN_LIMIT);
        if (n == 0) {
            Thread.yield();
        }
        if (control.startMeasurement && !control.stopMeasurement) {
            d.elements += n;
        }
        return n;
    }
}
