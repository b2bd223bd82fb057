package org.looptimer.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

/**
 * The two counts behind {@link TimerStats#pendingTimers()} and {@link TimerStats#deletedEntries()},
 * which share one packed split count: each must read back exactly, whatever the owner's and the
 * other threads' shares are, even once each share alone has run far past what a half can hold.
 */
class TimerCountsTest {

    private final TimerCounts unlimited = new TimerCounts(Integer.MAX_VALUE, () -> "");

    @Test
    void aForeignStopMovesOneTimerFromArmedToStopped() {
        unlimited.arm();
        unlimited.arm();
        unlimited.stop();

        assertEquals(1, unlimited.armed());
        assertEquals(1, unlimited.stopped());

        unlimited.ownerStoppedLeft(); // the owner drops the entry
        assertEquals(1, unlimited.armed());
        assertEquals(0, unlimited.stopped());
    }

    @Test
    void sharesThatEachRunFarPastAHalfStillSumToTheTrueCounts() {
        // A long-lived loop: other threads arm three billion timers that the owner fires, then
        // arm and stop five billion that the owner drops. The shares wrap; their sum does not.
        long foreign = 3_000_000_000L;
        long owner = -3_000_000_000L;
        long stoppedByOthers = 5_000_000_000L;
        foreign += stoppedByOthers * (1 + TimerCounts.ONE_STOPPED - 1);
        owner -= stoppedByOthers * TimerCounts.ONE_STOPPED;
        // What is left: three armed by others, one of them stopped by others, one by the owner.
        foreign += 3 + (TimerCounts.ONE_STOPPED - 1);
        owner += TimerCounts.ONE_STOPPED - 1;

        assertEquals(1, TimerCounts.armedOf(owner + foreign));
        assertEquals(2, TimerCounts.stoppedOf(owner + foreign));
    }

    @Test
    void aRacyReadMayCatchArmedBelowZeroWithoutCorruptingStopped() {
        unlimited.ownerArm();
        unlimited.ownerStop(); // armed 0, stopped 1
        unlimited.disarm(); // another thread's share ahead of the owner's: armed -1 for a moment

        assertEquals(-1, unlimited.armed());
        assertEquals(1, unlimited.stopped());
    }

    @Test
    void aLimitedHeapRejectsAtItsLimitAndAStopFreesASlot() {
        TimerCounts limited = new TimerCounts(2, () -> "");
        limited.arm();
        limited.ownerArm();
        RejectedExecutionException full = assertThrows(RejectedExecutionException.class, limited::arm);
        assertEquals(2, limited.armed(), "a rejected arming counts nothing: " + full.getMessage());

        limited.stop();
        assertEquals(1, limited.armed());
        assertEquals(1, limited.stopped());
        limited.arm(); // the stopped timer's slot is free again
        assertEquals(2, limited.armed());
    }
}
