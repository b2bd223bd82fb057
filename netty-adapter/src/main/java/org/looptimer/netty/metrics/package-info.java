/** Publishes the loops' timer statistics to Micrometer: {@link org.looptimer.netty.metrics.LoopTimerMetrics}. */
package org.looptimer.netty.metrics;
