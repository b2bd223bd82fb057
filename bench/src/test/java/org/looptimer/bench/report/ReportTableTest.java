package org.looptimer.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report must read what JMH writes with {@code -rf json} and compute the ratios right. */
class ReportTableTest {

    /** Trimmed from a real JMH 1.37 result file: two rows, -prof gc metrics, a quoted NaN. */
    private static final String JMH_JSON = """
            [
                {
                    "jmhVersion" : "1.37",
                    "benchmark" : "org.looptimer.bench.churn.ChurnBenchmark.nettyEventLoop",
                    "mode" : "avgt",
                    "jvmArgs" : [ "-Xms2g", "-Xmx2g" ],
                    "params" : { "liveTimers" : "1000000" },
                    "primaryMetric" : {
                        "score" : 250.5, "scoreError" : 12.25,
                        "scoreConfidence" : [ 238.25, 262.75 ], "scoreUnit" : "ns/op",
                        "rawData" : [ [ 250.0, 251.0 ] ]
                    },
                    "secondaryMetrics" : {
                        "gc.alloc.rate.norm" : { "score" : 64.01, "scoreError" : 0.1, "scoreUnit" : "B/op" }
                    }
                },
                {
                    "jmhVersion" : "1.37",
                    "benchmark" : "org.looptimer.bench.churn.ChurnBenchmark.looptimer",
                    "mode" : "avgt",
                    "params" : { "liveTimers" : "1000000" },
                    "primaryMetric" : {
                        "score" : 5.01E1, "scoreError" : "NaN", "scoreUnit" : "ns/op",
                        "description" : "a \\"quoted\\" \\u00b5s note"
                    },
                    "secondaryMetrics" : { }
                }
            ]
            """;

    @Test
    void readsScoresParamsAndAllocationFromJmhJson(@TempDir Path dir) throws IOException {
        List<Row> rows = JmhResults.read(write(dir, JMH_JSON));

        assertEquals(2, rows.size());
        Row netty = rows.get(0);
        assertEquals("churn", netty.suite());
        assertEquals("nettyEventLoop", netty.peer());
        assertEquals("liveTimers=1000000", netty.params());
        assertEquals(250.5, netty.score());
        assertEquals(12.25, netty.error());
        assertEquals("ns/op", netty.unit());
        assertEquals(64.01, netty.allocPerOp());
        Row looptimer = rows.get(1);
        assertEquals(50.1, looptimer.score());
        assertTrue(Double.isNaN(looptimer.error()), "JMH writes a missing error as \"NaN\"");
        assertTrue(Double.isNaN(looptimer.allocPerOp()), "no -prof gc metric: no allocation");
    }

    @Test
    void putsLooptimerFirstAndShowsPeersAsRatiosToIt(@TempDir Path dir) throws IOException {
        String table = ReportTable.format(JmhResults.read(write(dir, JMH_JSON)));

        String[] lines = table.split("\n", -1);
        assertTrue(lines[1].startsWith("churn.looptimer"), table);
        assertTrue(lines[1].contains("1.00x"), table);
        assertTrue(lines[2].startsWith("churn.nettyEventLoop"), table);
        assertTrue(lines[2].contains("5.00x"), "250.5 / 50.1 = 5.00: " + table);
        assertTrue(lines[2].contains("64.01"), table);
    }

    @Test
    void judgesTheTargetsFromThePointEstimates(@TempDir Path dir) throws IOException {
        String targets = Targets.check(JmhResults.read(write(dir, JMH_JSON)));

        assertTrue(
                targets.lines()
                        .anyMatch(l -> l.contains("nettyEventLoop / schedule, 1M live")
                                && l.contains("5.00x")
                                && l.endsWith("MET")),
                "250.5 / 50.1 >= 1x: " + targets);
        assertTrue(!targets.contains("10k live"), "rows not in the run are skipped: " + targets);
        assertTrue(!targets.contains("scheduleAt"), "rows not in the run are skipped: " + targets);
    }

    @Test
    void ordersParametersNumerically() {
        List<Row> rows = List.of(
                row("hold", "looptimer", "liveTimers=1000000", 900, Double.NaN),
                row("hold", "looptimer", "liveTimers=10000", 90, Double.NaN));

        String table = ReportTable.format(rows);

        assertTrue(table.indexOf("liveTimers=10000 ") < table.indexOf("liveTimers=1000000"), table);
    }

    @Test
    void showsCpuTimeAndJudgesItSeparatelyWhenProfiled() {
        List<Row> rows = List.of(
                row("rearm", "laterRearmHot", "liveTimers=10000", 25.0, 8.0),
                row("churn", "looptimer", "liveTimers=10000", 40.0, 18.0),
                row("churn", "looptimerAt", "liveTimers=10000", 40.0, 18.0),
                row("churn", "agronaWheel", "liveTimers=10000", 20.0, 9.0));

        String table = ReportTable.format(rows);
        String targets = Targets.check(rows);

        assertTrue(table.contains("cpu ns/op"), table);
        assertTrue(
                table.lines()
                        .anyMatch(l -> l.startsWith("churn.agronaWheel") && l.contains("0.50x") && l.contains("9.000")),
                table);
        assertTrue(
                targets.lines()
                        .anyMatch(l -> l.contains("10k live")
                                && l.contains("scheduleAt+stop pair")
                                && l.contains("MISSED")
                                && l.endsWith("(cpu time 18.00 ns: MET)")),
                targets);
        assertTrue(
                targets.lines().anyMatch(l -> l.contains("re-arm") && l.endsWith("(cpu time 8.00 ns: MET)")), targets);
    }

    @Test
    void namesEveryLooptimerRowWhoseErrorBarIsWiderThanAFifthOfItsScore() {
        List<Row> rows = List.of(
                new Row("hold", "looptimer", "liveTimers=10000", 200, 60, "ns/op", 0, Double.NaN, null),
                new Row("hold", "looptimerEqual", "liveTimers=10000", 100, 10, "ns/op", 0, Double.NaN, null),
                new Row("rearm", "laterRearmHot", "liveTimers=10000", 9, Double.NaN, "ns/op", 0, Double.NaN, null),
                new Row("hold", "agronaWheel", "liveTimers=10000", 100, 90, "ns/op", 0, Double.NaN, null));

        String line = Targets.check(rows)
                .lines()
                .filter(l -> l.contains("error <= 20% of score"))
                .findFirst()
                .orElseThrow();

        assertTrue(line.contains("1 of 3 looptimer rows"), "a peer's wide error is not ours to answer for: " + line);
        assertTrue(line.contains("MISSED: hold.looptimer liveTimers=10000 30.00%"), line);
        assertTrue(line.contains("rearm.laterRearmHot liveTimers=10000 (no error)"), line);
        assertTrue(!line.contains("looptimerEqual"), "10% is within a fifth: " + line);
    }

    @Test
    void showsTheInLoopRatioNetOfTheClockReadBothLoopsPay() {
        String params = "liveTimers=10000,transport=nio";
        List<Row> rows = List.of(
                row("inLoopScheduleCancel.scheduleCancel", "looptimer", params, 55, Double.NaN),
                row("inLoopScheduleCancel.scheduleCancel", "netty", params, 80, Double.NaN),
                row("tickerRead", "systemTicker", "", 30, Double.NaN));

        String targets = Targets.check(rows);

        assertTrue(
                targets.lines().anyMatch(l -> l.contains("stock / Netty API, 10k live ") && l.contains("1.45x")),
                "80 / 55: " + targets);
        assertTrue(
                targets.lines()
                        .anyMatch(
                                l -> l.contains("10k live, net") && l.contains("2.00x") && l.contains("(information)")),
                "(80 - 30) / (55 - 30): " + targets);
    }

    private static Row row(String suite, String peer, String params, double score, double cpu) {
        return new Row(suite, peer, params, score, 0.5, "ns/op", 0.0, cpu, null);
    }

    private static Path write(Path dir, String json) throws IOException {
        Path file = dir.resolve("result.json");
        Files.writeString(file, json);
        return file;
    }
}
