package org.looptimer.bench.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the output of {@code go test -bench} into {@link Row}s of the {@code go} suite, peer
 * {@code go}, beside the Go port's rows. A benchmark run {@code -count} times becomes one row per
 * metric: the mean ± the standard deviation of its runs, as the port reports. Go's latency
 * benchmarks report 0 ns/op by design; that figure is left out.
 */
public final class GoTestOutput {

    /** {@code BenchmarkStartStop-2   8235   137094 ns/op [value unit]...} */
    private static final Pattern LINE = Pattern.compile("^Benchmark(\\S+?)(?:-\\d+)?\\s+\\d+\\s+(.*)$");

    private static final Pattern METRIC = Pattern.compile("([0-9.eE+-]+)\\s+(\\S+)");

    private GoTestOutput() {}

    public static List<Row> parse(String output) {
        Map<String, List<Double>> values = new LinkedHashMap<>();
        for (String line : output.lines().toList()) {
            Matcher m = LINE.matcher(line.strip());
            if (!m.matches()) {
                continue;
            }
            String name = m.group(1);
            Matcher metric = METRIC.matcher(m.group(2));
            boolean latency = m.group(2).contains("late-ns");
            while (metric.find()) {
                String unit = metric.group(2);
                if (latency && unit.equals("ns/op")) {
                    continue;
                }
                values.computeIfAbsent(name + "\n" + unit, k -> new ArrayList<>())
                        .add(Double.parseDouble(metric.group(1)));
            }
        }
        List<Row> rows = new ArrayList<>();
        values.forEach((key, xs) -> {
            String[] nameUnit = key.split("\n", 2);
            rows.add(Row.measured("go", "go", "bench=" + nameUnit[0], mean(xs), sd(xs), nameUnit[1]));
        });
        return rows;
    }

    private static double mean(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    private static double sd(List<Double> xs) {
        if (xs.size() < 2) {
            return Double.NaN;
        }
        double m = mean(xs);
        double sq = xs.stream().mapToDouble(x -> (x - m) * (x - m)).sum();
        return Math.sqrt(sq / (xs.size() - 1));
    }
}
