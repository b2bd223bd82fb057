package org.looptimer.core;

import java.util.Objects;

/**
 * Where timers were created, and how many of them are pending: an entry of
 * {@link Timers#topSites(int)}.
 *
 * <pre>{@code
 * for (TimerSite s : LoopTimers.of(loop).topSites(3)) {
 *     log.warn("{} pending timers created at {}", s.pending(), s.site());
 * }
 * }</pre>
 *
 * @param site the first stack frame outside looptimer and Netty, as
 *     {@code com.example.Session.start(Session.java:42)}
 * @param pending recorded timers created there that are pending now
 */
public record TimerSite(String site, long pending) {

    /** @throws NullPointerException if {@code site} is null */
    public TimerSite {
        Objects.requireNonNull(site, "site");
    }

    @Override
    public String toString() {
        return site + ": " + pending + " pending";
    }
}
