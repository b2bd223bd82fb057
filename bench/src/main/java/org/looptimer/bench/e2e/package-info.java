/**
 * End to end: servers as users write them, stock Netty against looptimer under load, each
 * runnable on its own ({@code --help}) and meant to be copied.
 *
 * <ul>
 *   <li>{@link org.looptimer.bench.e2e.IdleTimeoutProxy}: a TCP proxy that closes idle clients;</li>
 *   <li>{@link org.looptimer.bench.e2e.DeadlineServer}: HTTP/1.1 with a deadline per request and a
 *       heartbeat per connection;</li>
 *   <li>{@link org.looptimer.bench.e2e.LoadClient}: constant-rate load with coordinated omission
 *       corrected, plus silent connections;</li>
 *   <li>{@link org.looptimer.bench.e2e.E2eSuite}: the run behind {@code bench/run e2e}, each server
 *       in a process of its own, and its report ({@code E2eReport}, {@code WrkRun}).</li>
 * </ul>
 *
 * <p>Around them: {@code Transport} (nio, epoll, io_uring), {@code ServerMetrics} and
 * {@code ServerControl} (what a server counts and how a driver reads it), {@code ServerProcess}
 * (a server in its own JVM), {@code netty.CountingIoHandlerFactory} (polls and wake-ups of any group),
 * {@code Scenario}, {@code Options}.
 */
package org.looptimer.bench.e2e;
