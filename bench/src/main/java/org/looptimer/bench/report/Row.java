package org.looptimer.bench.report;

/**
 * One row of any suite: a peer's figure for one workload, or a row that says why the peer was
 * skipped. Every suite (JMH, the Go port, Go itself, end-to-end) becomes rows of this one shape,
 * so the report applies one baseline convention to all of them: within a suite, rows with the
 * same {@code params} and {@code unit} are compared with the row whose {@code peer} is
 * {@value Report#BASELINE}.
 *
 * @param suite the suite: {@code churn}, {@code go}, ...
 * @param peer who did the work: a JMH method, the value of a benchmark's {@code impl} or
 *     {@code loop} parameter, or a Go-port way ({@code looptimer}, {@code netty}, {@code go} ...)
 * @param params the workload, as {@code name=value} pairs joined by commas, the peer's own
 *     parameter left out; the live-timer count is always {@code liveTimers}
 * @param score the figure, in {@code unit}; NaN for a skipped row
 * @param error the half-width of its error bar in the same unit (JMH: 99.9% confidence; the Go
 *     port: the standard deviation over its runs); NaN if unknown
 * @param unit {@code ns/op}, {@code avg-late-ns}, ...
 * @param allocPerOp bytes allocated per operation ({@code -prof gc}), NaN if not measured
 * @param cpuPerOp the process's CPU nanoseconds per operation ({@code ProcessCpuProfiler}), NaN
 *     if not measured
 * @param skipped null for a measured row; else why the peer did not run and how to make it run
 */
public record Row(
        String suite,
        String peer,
        String params,
        double score,
        double error,
        String unit,
        double allocPerOp,
        double cpuPerOp,
        String skipped) {

    /** A measured row with no profiler figures. */
    public static Row measured(String suite, String peer, String params, double score, double error, String unit) {
        return new Row(suite, peer, params, score, error, unit, Double.NaN, Double.NaN, null);
    }

    /** A row that says the peer did not run, and why. */
    public static Row skipped(String suite, String peer, String params, String unit, String why) {
        return new Row(suite, peer, params, Double.NaN, Double.NaN, unit, Double.NaN, Double.NaN, why);
    }

    /** Whether the row holds a figure. */
    public boolean isMeasured() {
        return skipped == null && !Double.isNaN(score);
    }

    /** The key of the rows it is compared with: same suite, workload and unit. */
    String group() {
        return suite + "|" + params + "|" + unit;
    }
}
