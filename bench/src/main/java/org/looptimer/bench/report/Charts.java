package org.looptimer.bench.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.style.Styler;

/**
 * Draws the report's charts with XChart and writes them as SVG ({@link VectorGraphicsEncoder}):
 * grouped bars, one group per workload, one bar per peer, on a log scale so a 10x gap and a 1.1x
 * gap both stay readable. A log axis has no room for a gap, so a workload some peer skipped is
 * left out of the chart; the report's tables show it, and why.
 */
final class Charts {

    private static final int WIDTH = 900;
    private static final int HEIGHT = 480;

    private Charts() {}

    /**
     * One grouped-bar chart of {@code rows} (all of one unit), workloads along x as {@code label}
     * names them, written to {@code file}; false if there was nothing to draw.
     */
    static boolean bars(
            List<Row> rows, Function<Row, String> label, String title, String yTitle, double scale, Path file)
            throws IOException {
        List<Row> measured =
                rows.stream().filter(r -> r.isMeasured() && r.score() > 0).toList();
        if (measured.isEmpty()) {
            return false;
        }
        Set<String> workloads = new LinkedHashSet<>();
        Map<String, Map<String, Double>> byPeer = new LinkedHashMap<>();
        for (Row r : measured) {
            workloads.add(label.apply(r));
        }
        // looptimer first, so its bar is the left one in every group.
        for (Row r : measured) {
            if (r.peer().equals(Report.BASELINE)) {
                byPeer.computeIfAbsent(r.peer(), k -> new LinkedHashMap<>());
            }
        }
        for (Row r : measured) {
            byPeer.computeIfAbsent(r.peer(), k -> new LinkedHashMap<>()).put(label.apply(r), r.score() * scale);
        }
        CategoryChart chart = new CategoryChartBuilder()
                .width(WIDTH)
                .height(HEIGHT)
                .title(title)
                .xAxisTitle("")
                .yAxisTitle(yTitle + " (log scale)")
                .build();
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setXAxisLabelRotation(workloads.size() > 4 ? 30 : 0);
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        // A log axis takes no gap, so a workload is drawn only where every peer has a figure;
        // the tables show the rest.
        List<String> xs = new ArrayList<>();
        for (String x : workloads) {
            if (byPeer.values().stream().allMatch(v -> v.containsKey(x))) {
                xs.add(x);
            }
        }
        if (xs.isEmpty()) {
            return false;
        }
        // Bars start at zero unless told otherwise, and a log axis has no zero: start one decade
        // below the smallest bar.
        double min = Double.MAX_VALUE;
        double max = 0;
        for (Map<String, Double> values : byPeer.values()) {
            for (String x : xs) {
                min = Math.min(min, values.get(x));
                max = Math.max(max, values.get(x));
            }
        }
        chart.getStyler().setYAxisMin(Math.pow(10, Math.floor(Math.log10(min))));
        chart.getStyler().setYAxisMax(Math.pow(10, Math.ceil(Math.log10(max))));
        byPeer.forEach((peer, values) -> {
            List<Double> ys = new ArrayList<>();
            for (String x : xs) {
                ys.add(values.get(x));
            }
            chart.addSeries(peer, xs, ys);
        });
        VectorGraphicsEncoder.saveVectorGraphic(chart, file.toString(), VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
        return true;
    }
}
