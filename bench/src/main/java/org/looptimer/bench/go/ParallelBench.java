package org.looptimer.bench.go;

/**
 * The bodies Go's {@code sleep_test.go} hands its {@code benchmark()} helper, one to one: each is
 * {@code bench(n)} with n = 1000, run on a loop the way Go runs it on a P. A body ends by calling
 * {@link Worker#finished()}, at once or from the last timer it armed.
 *
 * <p>Threads: {@link #run} on the worker's loop only.
 */
enum ParallelBench {
    /** n {@code AfterFunc(Hour, nil)}, then n {@code Stop}. */
    StartStop {
        @Override
        void run(Worker w, int n) {
            Object[] timers = w.slots;
            for (int i = 0; i < n; i++) {
                timers[i] = w.way.start(w.loop, Worker.NOOP, Worker.HOUR);
            }
            for (int i = 0; i < n; i++) {
                w.way.stop(timers[i]);
                timers[i] = null;
            }
            w.finished();
        }
    },
    /** n times {@code NewTimer(1 * Second).Stop()}. */
    Stop {
        @Override
        void run(Worker w, int n) {
            for (int i = 0; i < n; i++) {
                w.way.stop(w.way.start(w.loop, Worker.NOOP, Worker.SECOND));
            }
            w.finished();
        }
    },
    /** One {@code NewTimer(Hour)}, n {@code Reset(Hour)}, one {@code Stop}. */
    Reset {
        @Override
        void run(Worker w, int n) {
            Object t = w.way.start(w.loop, Worker.NOOP, Worker.HOUR);
            for (int i = 0; i < n; i++) {
                t = w.way.reset(w.loop, t, Worker.NOOP, Worker.HOUR);
            }
            w.way.stop(t);
            w.finished();
        }
    },
    /** A chain of n + 1 {@code AfterFunc(0, f)}, each armed by the one before it. */
    AfterFunc {
        @Override
        void run(Worker w, int n) {
            w.remaining = n;
            w.way.start(w.loop, w.chainLink, 0);
        }
    },
    /** n {@code AfterFunc(0, wg.Done)} at once, then wait for all. */
    SimultaneousAfterFunc {
        @Override
        void run(Worker w, int n) {
            w.remaining = n;
            for (int i = 0; i < n; i++) {
                w.way.start(w.loop, w.countDown, 0);
            }
        }
    },
    /** {@code NewTicker(Nanosecond)}, n {@code Reset(2 * Nanosecond)}, {@code Stop}. */
    TickerReset {
        @Override
        void run(Worker w, int n) {
            Object ticker = w.way.ticker(w.loop, Worker.NOOP, 1);
            for (int i = 0; i < n; i++) {
                ticker = w.way.resetTicker(w.loop, ticker, Worker.NOOP, 2);
            }
            w.way.stop(ticker);
            w.finished();
        }
    },
    /** {@code NewTicker(Nanosecond)}, then n times {@code Stop} and a new {@code NewTicker(2 * Nanosecond)}. */
    TickerResetNaive {
        @Override
        void run(Worker w, int n) {
            Object ticker = w.way.ticker(w.loop, Worker.NOOP, 1);
            for (int i = 0; i < n; i++) {
                w.way.stop(ticker);
                ticker = w.way.ticker(w.loop, Worker.NOOP, 2);
            }
            w.way.stop(ticker);
            w.finished();
        }
    };

    /** Go's {@code bench(n)}; ends with {@link Worker#finished()}. */
    abstract void run(Worker w, int n);
}
