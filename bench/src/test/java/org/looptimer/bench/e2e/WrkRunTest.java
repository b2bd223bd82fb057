package org.looptimer.bench.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonObject;
import org.junit.jupiter.api.Test;

/** The wrk rows come from wrk's own {@code --latency} output; this is its format (wrk 4.1). */
class WrkRunTest {

    @Test
    void readsRequestsPerSecondAndTheLatencyPercentilesInMilliseconds() {
        String output = """
                Running 3s test @ http://127.0.0.1:34567/
                  1 threads and 256 connections
                  Thread Stats   Avg      Stdev     Max   +/- Stdev
                    Latency     4.12ms    1.03ms  21.40ms   90.12%
                    Req/Sec    62.10k     3.20k   66.00k    80.00%
                  Latency Distribution
                     50%  850.00us
                     75%    4.20ms
                     90%    5.00ms
                     99%    1.20s
                  185000 requests in 3.00s, 12.00MB read
                Requests/sec:  61666.67
                Transfer/sec:      4.00MB
                """;
        JsonObject row = WrkRun.parse(output);
        assertEquals(61666.67, row.get("requestsPerSecond").getAsDouble(), 1e-9);
        assertEquals(0.85, row.get("p50Ms").getAsDouble(), 1e-9);
        assertEquals(1200.0, row.get("p99Ms").getAsDouble(), 1e-9);
    }
}
