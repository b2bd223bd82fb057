package org.looptimer.bench.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The driver itself, on the smallest scenario: it starts each server as a process of its own,
 * stops it, sees it exit, and writes the report files.
 */
class E2eSuiteTest {

    @Test
    void runsServersAsProcessesThatExitAndWritesTheReport(@TempDir Path out) throws Exception {
        E2eSuite.main(
                new String[] {"--out", out.toString(), "--smoke", "--only", "deadline", "--no-wrk", "--transport", "nio"
                });
        for (String file : List.of("e2e.json", "e2e.md", "e2e-latency.svg", "e2e-cpu.svg")) {
            assertTrue(Files.size(out.resolve(file)) > 0, file);
        }
        JsonObject report = JsonParser.parseString(Files.readString(out.resolve("e2e.json"), StandardCharsets.UTF_8))
                .getAsJsonObject();
        JsonObject deadline = report.getAsJsonArray("scenarios").get(0).getAsJsonObject();
        for (String side : List.of("stock", "looptimer")) {
            JsonObject run =
                    deadline.getAsJsonObject(side).getAsJsonArray("runs").get(0).getAsJsonObject();
            assertEquals(1.0, run.get("serverExitedCleanly").getAsDouble(), side + ": the server exited by itself");
            assertEquals(1.0, run.get("clientLoopsTerminated").getAsDouble(), side + ": the client's loops ended");
            assertEquals(0.0, run.get("connectFailures").getAsDouble(), side + ": connect failures");
        }
        assertTrue(
                Files.readString(out.resolve("e2e.md"), StandardCharsets.UTF_8).contains("| requests/s |"),
                "the table");
    }
}
