package org.looptimer.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report generator on a small recorded results directory ({@code src/test/resources/report-run}):
 * every suite gets a table with units, errors and ratios to looptimer, Go's own figures sit beside
 * the ports, missing suites are rows that say "skipped" and why, and the charts are SVG.
 */
class ReportTest {

    private static final List<String> INPUTS = List.of(
            "meta.txt",
            "jmh.json",
            "go-port.json",
            "go-test.txt",
            "load.json",
            "load-jdk25-skipped.txt",
            "e2e.json",
            "e2e.md");

    @BeforeAll
    static void headless() {
        System.setProperty("java.awt.headless", "true");
    }

    private static Path recorded(Path dir, List<String> names) throws IOException {
        for (String name : names) {
            try (InputStream in = ReportTest.class.getResourceAsStream("/report-run/" + name)) {
                Files.copy(in, dir.resolve(name));
            }
        }
        return dir;
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8);
    }

    @Test
    void writesReportResultsAndChartsFromARecordedRun(@TempDir Path tmp) throws IOException {
        Path dir = recorded(tmp, INPUTS);

        List<String> written = Report.write(dir);

        assertTrue(written.containsAll(List.of("report.md", "results.json", "go-comparison.svg")), written.toString());
        for (String chart : written.stream().filter(f -> f.endsWith(".svg")).toList()) {
            String svg = read(dir.resolve(chart));
            assertTrue(svg.contains("<svg"), chart + " is not SVG");
        }
        assertTrue(written.contains("ns-per-op-churn.svg"), written.toString());
        assertTrue(written.contains("go-lateness-avg.svg"), written.toString());
        assertTrue(written.containsAll(List.of("lateness.svg", "burst.svg")), written.toString());
    }

    @Test
    void theReportGivesEnvironmentRatiosForEverySuiteAndTheGoTable(@TempDir Path tmp) throws IOException {
        Path dir = recorded(tmp, INPUTS);
        Report.write(dir);
        String md = read(dir.resolve("report.md"));

        assertTrue(md.contains("| command | bench/run quick |"), md);
        assertTrue(md.contains("| JDK | "), md);
        assertTrue(md.contains("| CPU | Oxide"), md);
        // churn: 91.2 / 45.6 = 2.00x, with units, errors and allocation.
        assertTrue(md.contains("| `liveTimers=10000` | nettyEventLoop | 91.20 ± 5.100 | ns/op | 2.00x | 64.00 |"), md);
        // A Netty-loop suite, peer chosen by its impl parameter, now has ratios too: 124.9 / 99.9.
        assertTrue(md.contains("| `liveTimers=1000000,transport=nio` | netty | 124.9 ± 10.40 | ns/op | 1.25x |"), md);
        // The Go table: Go's StartStop beside the ports, in µs/op, as a ratio to looptimer.
        String startStop = md.lines()
                .filter(l -> l.startsWith("| StartStop | µs/op |"))
                .findFirst()
                .orElseThrow();
        assertTrue(startStop.contains("312.1 ± 94.73"), startStop);
        assertTrue(startStop.contains("618.9 ± 7.727 (1.98x)"), startStop);
        assertTrue(md.lines().anyMatch(l -> l.startsWith("| ParallelTimerLatency | avg-late-µs |")), md);
        assertTrue(md.contains("## End to end (recorded sample)"), "e2e.md is appended");
        assertTrue(md.contains("Targets"), md);
        // The load suites: a ratio to looptimer per percentile, and JDK 25's pool skipped with the reason.
        assertTrue(md.contains("| `liveTimers=1000000` | nettyEventLoop |"), md);
        assertTrue(md.contains("| jdk25ForkJoinPool | skipped: no JDK 25 found"), md);
    }

    @Test
    void aMissingToolOrSuiteIsASkippedRowThatSaysWhy(@TempDir Path tmp) throws IOException {
        Path dir = recorded(tmp, List.of("meta.txt", "go-port.json"));
        Files.writeString(dir.resolve("go-skipped.txt"), "no Go toolchain on PATH; apt-get install golang");
        Files.writeString(dir.resolve("jmh-jdk25-skipped.txt"), "no JDK 25 found (set JDK25_HOME)");

        Report.write(dir);
        String md = read(dir.resolve("report.md"));

        String startStop = md.lines()
                .filter(l -> l.startsWith("| StartStop | µs/op |"))
                .findFirst()
                .orElseThrow();
        assertTrue(startStop.endsWith("skipped: no Go toolchain on PATH; apt-get install golang |"), startStop);
        assertTrue(md.contains("skipped: this run had no JMH suites"), md);
        assertTrue(md.contains("skipped: this run did not include the end-to-end suite"), md);
        assertTrue(md.contains("| jdk25ForkJoinPool | skipped: no JDK 25 found (set JDK25_HOME) |"), md);
        assertTrue(md.contains("skipped: this run did not include the load suites"), md);
        assertFalse(md.contains("NaN"), "a skipped row shows its reason, not a NaN: " + md);
    }

    @Test
    void resultsJsonHoldsTheRawInputsAndEveryRow(@TempDir Path tmp) throws IOException {
        Path dir = recorded(tmp, INPUTS);
        Report.write(dir);

        JsonObject results =
                JsonParser.parseString(read(dir.resolve("results.json"))).getAsJsonObject();

        assertEquals(4, results.getAsJsonArray("jmh").size(), "JMH's raw results, unchanged");
        assertTrue(results.get("goTestOutput").getAsString().contains("BenchmarkStartStop-2"));
        assertTrue(results.has("e2e"), "e2e.json is merged");
        assertEquals(
                "bench/run quick",
                results.getAsJsonObject("meta").get("command").getAsString());
        assertTrue(results.getAsJsonArray("rows").size() > 40);
    }

    @Test
    void parsesGoTestOutputAsMeanAndSpreadOfItsRuns() {
        List<Row> rows = GoTestOutput.parse("""
                BenchmarkReset-2                   	    2998	    130000 ns/op
                BenchmarkReset-2                   	    7458	    134000 ns/op
                BenchmarkParallelTimerLatency-2    	     169	         0 ns/op	    192592 avg-late-ns	   5439724 max-late-ns
                BenchmarkStaggeredTickerLatency/work-dur=300µs/tickers-per-P=1-2   112   0 ns/op   2510012 avg-late-ns   5187398 max-late-ns
                PASS
                """);

        assertEquals(5, rows.size(), rows.toString());
        Row reset = rows.get(0);
        assertEquals("bench=Reset", reset.params());
        assertEquals(132000, reset.score(), 1e-9);
        assertEquals(2828.427, reset.error(), 1e-3);
        assertEquals("avg-late-ns", rows.get(1).unit(), "Go's 0 ns/op of a latency benchmark is left out");
        assertEquals(
                "bench=StaggeredTickerLatency/work-dur=300µs/tickers-per-P=1",
                rows.get(3).params());
    }
}
