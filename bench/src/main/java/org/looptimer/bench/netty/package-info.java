/**
 * JMH benchmarks of the Netty integration: stock {@code MultiThreadIoEventLoopGroup} (Netty
 * 4.2.18) against looptimer's {@code TimerEventLoopGroup}, side by side in one run, one loop each,
 * on the same transport (NIO by default; {@code -p transport=epoll} or {@code local} where the
 * benchmark has the {@code transport} parameter and the transport fits).
 *
 * <p>A map, one benchmark per question (commands in {@code bench/NETTY.md}):
 * <ul>
 *   <li>{@link org.looptimer.bench.netty.InLoopScheduleCancelBenchmark}: {@code EventLoop.schedule}
 *       + {@code cancel} inside the loop with 10k / 1M timers pending, and the heap's own API
 *       beside it;</li>
 *   <li>{@link org.looptimer.bench.netty.LoopHandoffBenchmark}: the fixed hand-off cost inside
 *       every in-loop score, to subtract;</li>
 *   <li>{@link org.looptimer.bench.netty.TickerReadBenchmark}: the clock read inside every
 *       {@code schedule} with a delay, stock or not;</li>
 *   <li>{@link org.looptimer.bench.netty.ForeignScheduleBenchmark}: {@code schedule} from 1 and 2
 *       other threads, throughput and wake-ups per operation;</li>
 *   <li>{@link org.looptimer.bench.netty.IdleReadBenchmark}: the idle-timeout work per read,
 *       {@code IdleTimeoutHandler} against {@code IdleStateHandler};</li>
 *   <li>{@link org.looptimer.bench.netty.IdleExpiryBenchmark}: the idle timer's own expiry and
 *       re-arm, where the two handlers differ in allocation.</li>
 * </ul>
 *
 * <p>Fixtures: {@link org.looptimer.bench.netty.Loops} (the two group kinds),
 * {@link org.looptimer.bench.netty.Transport}, {@link org.looptimer.bench.netty.LoopBatch}
 * (allocation-free run-on-the-loop-and-wait), {@link org.looptimer.bench.netty.ConnectedChannel}
 * (a real channel on the loop), {@link org.looptimer.bench.netty.CountingIoHandlerFactory}
 * (wake-up and poll counts for any loop), {@link org.looptimer.bench.netty.FarDelays} (seeded
 * delays).
 */
package org.looptimer.bench.netty;
