package org.looptimer.core;

import java.util.ArrayList;
import java.util.List;

/**
 * Test helper: hands out named callbacks that record, in order, which of them ran. Owner-thread
 * tests only (plain list).
 */
final class Recorder {

    private final List<String> runs = new ArrayList<>();

    Runnable task(String name) {
        return () -> runs.add(name);
    }

    List<String> runs() {
        return List.copyOf(runs);
    }

    /** Returns what ran since the last call and forgets it. */
    List<String> take() {
        List<String> copy = List.copyOf(runs);
        runs.clear();
        return copy;
    }

    int count(String name) {
        int n = 0;
        for (String r : runs) {
            if (r.equals(name)) {
                n++;
            }
        }
        return n;
    }
}
