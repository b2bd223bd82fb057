package org.looptimer.netty;

import java.lang.reflect.Field;
import java.util.Map;

/**
 * Test-only reads of private bookkeeping that no public API shows: how many timers a channel's list
 * holds, how many timeouts a {@link LoopTimer}'s registries hold. Read by reflection, so that the
 * production classes carry no test hooks. Call on the thread that owns the state (the channel's
 * loop for {@link ChannelTimers}).
 */
final class Internals {

    private Internals() {}

    /** The timers in the channel's list of live timers. */
    static int tracked(ChannelTimers timers) {
        int n = 0;
        for (Object t = field(timers, "head"); t != null; t = field(t, "next")) {
            n++;
        }
        return n;
    }

    /** The nodes in a {@link LoopTimer}'s registries, finished ones not yet swept included. */
    static int registered(LoopTimer timer) {
        int n = 0;
        for (Object registry : ((Map<?, ?>) field(timer, "registries")).values()) {
            for (Object node = field(registry, "head"); node != null; node = field(node, "next")) {
                n++;
            }
        }
        return n;
    }

    private static Object field(Object owner, String name) {
        try {
            Field f = owner.getClass().getDeclaredField(name);
            f.setAccessible(true);
            return f.get(owner);
        } catch (ReflectiveOperationException e) {
            throw new LinkageError("no field " + name + " in " + owner.getClass(), e);
        }
    }
}
