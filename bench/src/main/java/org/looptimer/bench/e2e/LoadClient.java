package org.looptimer.bench.e2e;

import com.google.gson.GsonBuilder;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * An HTTP/1.1 load generator in the manner of wrk2: a fixed number of keep-alive connections, each
 * sending one request at a time at a constant rate, with latency measured from the moment each
 * request was <em>meant</em> to go out. A slow response therefore counts against every request it
 * held up (coordinated omission corrected), instead of silently lowering the rate.
 *
 * <p>Beside the active connections it opens a population of <em>silent</em> ones that never send
 * a request, so a server's idle timeouts really fire; with {@code --answer-pings} they answer
 * each heartbeat (any bytes ending in a newline) with an empty line, so heartbeats flow and the
 * connections stay open.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar org.looptimer.bench.e2e.LoadClient \
 *     --port 8080 --connections 256 --silent 1000 --rate 5000 --duration 10s
 * </pre>
 *
 * <p>Latencies go into HdrHistogram {@link Recorder}s (wait-free, for the client's event loops);
 * requests to {@code /slow} go out with probability {@code --slow-share}.
 *
 * <p>Threads: {@link #connect}, {@link #startRequests}, {@link #startMeasuring},
 * {@link #stopMeasuring} and {@link #close} from one driving thread, in that order; the
 * connections run on the client's own loops (stock Netty, the same for every server measured).
 */
// Writes, closes and sends are fire-and-forget: a failure closes the channel, and the counters
// (activeClosed, silentClosed) are where it shows, not in a future nobody waits for.
@SuppressWarnings("FutureReturnValueIgnored")
public final class LoadClient implements AutoCloseable {

    static final String USAGE = """
            LoadClient: constant-rate HTTP/1.1 load, coordinated omission corrected (wrk2-style).

              --host HOST             server address (default localhost)
              --port N                server port (required)
              --connections N         active keep-alive connections (default 100)
              --silent N              extra connections that never send a request (default 0)
              --answer-pings          silent connections answer each heartbeat with an empty line
              --rate N                requests per second over all active connections (default 1000)
              --slow-share F          share of requests sent to /slow (default 0)
              --warmup DURATION       load before measuring (default 2s)
              --duration DURATION     measured time (default 10s)
              --max-requests N        stop sending after this many requests (default: no limit)
              --transport NAME        nio, epoll or io_uring (default: epoll where available, else nio)
              --threads N             client event loops (default 1)

            Prints one JSON object with the result.""";

    private static final ByteBuf GET = constant("GET / HTTP/1.1\r\nHost: e2e\r\n\r\n");
    private static final ByteBuf GET_SLOW = constant("GET /slow HTTP/1.1\r\nHost: e2e\r\n\r\n");
    private static final ByteBuf EMPTY_LINE = constant("\r\n");

    /** What the client runs with; see {@link #USAGE}. */
    record Config(
            Transport transport,
            InetSocketAddress target,
            int connections,
            int silent,
            boolean answerPings,
            int rate,
            double slowShare,
            long maxRequests,
            int threads) {
        Config {
            Objects.requireNonNull(transport, "transport");
            Objects.requireNonNull(target, "target");
            if (connections > 0 && rate <= 0) {
                throw new IllegalArgumentException("rate must be > 0, was " + rate);
            }
        }
    }

    /**
     * What one measurement saw. Latencies are in microseconds; {@code storm*} covers the requests
     * meant to go out inside the window set by {@link #stormWindow} (zero without one).
     */
    record Result(
            int activeConnections,
            int silentConnections,
            double connectSeconds,
            long connectFailures,
            double seconds,
            long requests,
            double requestsPerSecond,
            double p50Micros,
            double p99Micros,
            double p999Micros,
            double maxMicros,
            long stormRequests,
            double stormP99Micros,
            long ok,
            long unavailable,
            long otherStatus,
            long fastUnavailable,
            long slowOk,
            long activeClosed,
            long silentClosed,
            long pingsReceived) {}

    private final Config config;
    private final EventLoopGroup group;
    private final List<Channel> channels = new ArrayList<>();
    private final List<ActiveConnection> actives = new ArrayList<>();
    private final AtomicLong sent = new AtomicLong();
    private final Recorder latency = new Recorder(3);
    private final Recorder stormLatency = new Recorder(3);
    private final LongAdder ok = new LongAdder();
    private final LongAdder unavailable = new LongAdder();
    private final LongAdder otherStatus = new LongAdder();
    private final LongAdder fastUnavailable = new LongAdder();
    private final LongAdder slowOk = new LongAdder();
    private final LongAdder activeClosed = new LongAdder();
    private final LongAdder silentClosed = new LongAdder();
    private final LongAdder pingsReceived = new LongAdder();
    private final LongAdder measured = new LongAdder();
    private final AtomicReference<Throwable> firstError = new AtomicReference<>();

    // Written by the driving thread, read by the loops: volatile, so a loop sees a whole window.
    private volatile long measureStart = Long.MAX_VALUE;
    private volatile long measureEnd = Long.MAX_VALUE;
    private volatile long stormStart = Long.MAX_VALUE;
    private volatile long stormEnd = Long.MIN_VALUE;
    private volatile boolean closing;

    // --- the driving thread only ---
    private long connectFailures;
    private double connectSeconds;
    private long connectStart;
    private long connectEnd;
    private long measuredBefore;

    LoadClient(Config config) {
        this.config = config;
        this.group = new MultiThreadIoEventLoopGroup(
                config.threads(), config.transport().newFactory());
    }

    private static ByteBuf constant(String text) {
        return Unpooled.unreleasableBuffer(Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII))
                .asReadOnly();
    }

    /**
     * Opens the active connections, then the silent ones, at most 256 connects in flight (a burst
     * beyond the server's accept backlog would cost SYN retries of a second each). Returns when
     * every connect has succeeded or failed; failures are counted in the result.
     */
    void connect() throws InterruptedException {
        long start = System.nanoTime();
        connectStart = start;
        long intervalNanos =
                config.connections() == 0 ? 0 : Math.max(1, config.connections() * 1_000_000_000L / config.rate());
        Semaphore inFlight = new Semaphore(256);
        List<ChannelFuture> futures = new ArrayList<>();
        for (int i = 0; i < config.connections() + config.silent(); i++) {
            boolean active = i < config.connections();
            ActiveConnection connection = active ? new ActiveConnection(intervalNanos) : null;
            inFlight.acquire();
            ChannelFuture f = new Bootstrap()
                    .group(group)
                    .channel(config.transport().channel)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 15_000)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            if (active) {
                                ch.pipeline().addLast(new HttpResponseDecoder(), connection);
                            } else {
                                ch.pipeline().addLast(new SilentConnection());
                            }
                        }
                    })
                    .connect(config.target());
            f.addListener(done -> inFlight.release());
            futures.add(f);
            if (active) {
                actives.add(connection);
            }
        }
        for (ChannelFuture f : futures) {
            f.awaitUninterruptibly();
            if (f.isSuccess()) {
                channels.add(f.channel());
            } else {
                if (connectFailures++ == 0) {
                    System.err.println("LoadClient: connect to " + config.target() + " failed: " + f.cause());
                }
            }
        }
        connectEnd = System.nanoTime();
        connectSeconds = (connectEnd - start) / 1e9;
    }

    /** When {@link #connect} began, in {@code System.nanoTime()}. */
    long connectStartNanos() {
        return connectStart;
    }

    /** When the last connect of {@link #connect} completed, in {@code System.nanoTime()}. */
    long connectEndNanos() {
        return connectEnd;
    }

    /** Starts every active connection on its schedule, each at a random phase of its interval. */
    void startRequests() {
        long now = System.nanoTime();
        for (ActiveConnection c : actives) {
            c.start(now);
        }
    }

    /** Latencies of requests meant to go out in [{@code startNanos}, {@code endNanos}] also count as the storm's. */
    void stormWindow(long startNanos, long endNanos) {
        stormStart = startNanos;
        stormEnd = endNanos;
    }

    /** Starts a measured window: only requests meant to go out from now on count. */
    void startMeasuring() {
        latency.reset();
        stormLatency.reset();
        measuredBefore = measured.sum();
        measureEnd = Long.MAX_VALUE;
        measureStart = System.nanoTime();
    }

    /** Ends the window and returns what it saw. */
    Result stopMeasuring() {
        long end = System.nanoTime();
        measureEnd = end;
        return result(end);
    }

    /**
     * The counters so far, for polling, without ending the window; its latencies cover only the
     * requests since the previous call (the histograms are handed over, not copied).
     */
    Result progress() {
        return result(System.nanoTime());
    }

    private Result result(long end) {
        double seconds = (end - measureStart) / 1e9;
        Histogram h = latency.getIntervalHistogram();
        Histogram storm = stormLatency.getIntervalHistogram();
        long requests = measured.sum() - measuredBefore;
        return new Result(
                actives.size(),
                config.silent(),
                connectSeconds,
                connectFailures,
                seconds,
                requests,
                requests / seconds,
                micros(h.getValueAtPercentile(50), h),
                micros(h.getValueAtPercentile(99), h),
                micros(h.getValueAtPercentile(99.9), h),
                micros(h.getMaxValue(), h),
                storm.getTotalCount(),
                micros(storm.getValueAtPercentile(99), storm),
                ok.sum(),
                unavailable.sum(),
                otherStatus.sum(),
                fastUnavailable.sum(),
                slowOk.sum(),
                activeClosed.sum(),
                silentClosed.sum(),
                pingsReceived.sum());
    }

    private static double micros(long nanos, Histogram h) {
        return h.getTotalCount() == 0 ? 0 : nanos / 1000.0;
    }

    /** Closes every connection and waits for the client's loops to terminate. */
    @Override
    public void close() {
        closing = true;
        for (Channel ch : channels) {
            ch.close();
        }
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly(30, TimeUnit.SECONDS);
    }

    boolean isTerminated() {
        return group.isTerminated();
    }

    /** One keep-alive connection sending a request every {@code intervalNanos}, one at a time. */
    private final class ActiveConnection extends SimpleChannelInboundHandler<HttpObject> {
        private final long intervalNanos;
        private final Runnable sendTask = this::send;
        private Channel channel;
        /** When the next request is meant to go out, whatever happened to the previous one. */
        private long intended;
        /** When the request in flight was meant to go out. */
        private long inFlightIntended;

        private boolean inFlightSlow;
        private int status;

        ActiveConnection(long intervalNanos) {
            this.intervalNanos = intervalNanos;
        }

        /** Before the connect future completes, unlike channelActive: {@link #start} may follow at once. */
        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            channel = ctx.channel();
        }

        /** Driving thread: hands the first send to the connection's loop. */
        void start(long now) {
            if (channel == null) {
                return; // its connect failed
            }
            long first = now + ThreadLocalRandom.current().nextLong(intervalNanos);
            channel.eventLoop().execute(() -> {
                intended = first;
                sendWhenDue();
            });
        }

        private void sendWhenDue() {
            long delay = intended - System.nanoTime();
            if (delay <= 0) {
                send();
            } else {
                channel.eventLoop().schedule(sendTask, delay, TimeUnit.NANOSECONDS);
            }
        }

        private void send() {
            if (closing || !channel.isActive()) {
                return;
            }
            if (config.maxRequests() > 0 && sent.incrementAndGet() > config.maxRequests()) {
                return;
            }
            inFlightIntended = intended;
            inFlightSlow = config.slowShare() > 0 && ThreadLocalRandom.current().nextDouble() < config.slowShare();
            channel.writeAndFlush((inFlightSlow ? GET_SLOW : GET).duplicate(), channel.voidPromise());
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (msg instanceof HttpResponse response) {
                status = response.status().code();
            }
            if (msg instanceof LastHttpContent) {
                completed(System.nanoTime());
            }
        }

        private void completed(long now) {
            if (status == 200) {
                ok.increment();
                if (inFlightSlow) {
                    slowOk.increment();
                }
            } else if (status == 503) {
                unavailable.increment();
                if (!inFlightSlow) {
                    fastUnavailable.increment();
                }
            } else {
                otherStatus.increment();
            }
            if (inFlightIntended >= measureStart && now <= measureEnd) {
                latency.recordValue(now - inFlightIntended);
                measured.increment();
            }
            if (inFlightIntended >= stormStart && inFlightIntended <= stormEnd) {
                stormLatency.recordValue(now - inFlightIntended);
            }
            intended += intervalNanos;
            sendWhenDue();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            if (!closing) {
                activeClosed.increment();
            }
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (!closing && firstError.compareAndSet(null, cause)) {
                System.err.println("LoadClient: an active connection failed: " + cause);
            }
            ctx.close();
        }
    }

    /** A connection that sends nothing of its own; it may answer heartbeats. */
    private final class SilentConnection extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf bytes = (ByteBuf) msg;
            int pings = 0;
            for (int i = bytes.readerIndex(); i < bytes.writerIndex(); i++) {
                if (bytes.getByte(i) == '\n') {
                    pings++;
                }
            }
            ReferenceCountUtil.release(msg);
            pingsReceived.add(pings);
            if (pings > 0 && config.answerPings()) {
                ctx.writeAndFlush(EMPTY_LINE.duplicate(), ctx.voidPromise());
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (!closing) {
                silentClosed.increment();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    public static void main(String[] args) throws Exception {
        Options o = Options.parse(
                args,
                USAGE,
                Set.of(
                        "host",
                        "port",
                        "connections",
                        "silent",
                        "rate",
                        "slow-share",
                        "warmup",
                        "duration",
                        "max-requests",
                        "transport",
                        "threads"),
                Set.of("answer-pings"));
        if (o == null) {
            return;
        }
        int port = o.integer("port", -1);
        if (port <= 0) {
            throw new IllegalArgumentException("--port N is required\n\n" + USAGE);
        }
        Config config = new Config(
                Transport.named(o.string("transport", Transport.preferred().label())),
                new InetSocketAddress(InetAddress.getAllByName(o.string("host", "localhost"))[0], port),
                o.integer("connections", 100),
                o.integer("silent", 0),
                o.flag("answer-pings"),
                o.integer("rate", 1000),
                o.decimal("slow-share", 0),
                o.integer("max-requests", 0),
                o.integer("threads", 1));
        Duration warmup = o.duration("warmup", Duration.ofSeconds(2));
        Duration duration = o.duration("duration", Duration.ofSeconds(10));
        try (LoadClient client = new LoadClient(config)) {
            client.connect();
            client.startRequests();
            Thread.sleep(warmup.toMillis());
            client.startMeasuring();
            Thread.sleep(duration.toMillis());
            System.out.println(new GsonBuilder().setPrettyPrinting().create().toJson(client.stopMeasuring()));
        }
    }
}
