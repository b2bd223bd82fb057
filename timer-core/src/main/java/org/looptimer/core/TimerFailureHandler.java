package org.looptimer.core;

/**
 * Told about a timer callback that threw. The heap has already counted the failure and carries
 * on: a ticker keeps ticking. Called on the owner thread, right after the failing callback.
 *
 * <pre>{@code
 * TimerHeap heap = TimerHeap.builder()
 *     .failureHandler((timer, failure) -> log.warn("timer {} failed", timer, failure))
 *     .build();
 * }</pre>
 */
@FunctionalInterface
public interface TimerFailureHandler {

    /**
     * Handles one failed run of {@code timer}'s callback.
     *
     * @param timer the timer whose callback threw
     * @param failure what it threw
     */
    void onFailure(TimerHandle timer, Throwable failure);
}
