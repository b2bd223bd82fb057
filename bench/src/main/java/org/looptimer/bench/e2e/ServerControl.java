package org.looptimer.bench.e2e;

import com.google.gson.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * The control channel of a server process, kept as simple as a pipe: the server prints one
 * {@code READY {json}} line once it listens, then answers each command read from standard input
 * with one line on standard output:
 *
 * <pre>
 * stats    STATS {json}   every counter of {@link ServerMetrics#snapshot}
 * gc       STATS {json}   the same after a full collection (for heap per connection)
 * stop     FINAL {json}   the counters, then the server shuts down and the process exits
 * </pre>
 *
 * End of input counts as {@code stop}, so a server whose driver dies stops too. Run by hand, type
 * the commands (or press Ctrl-D to stop).
 *
 * <p>Threads: {@link #serve} runs on the main thread; the event loops never touch it.
 */
final class ServerControl {

    static final String READY = "READY ";
    static final String STATS = "STATS ";
    static final String FINAL = "FINAL ";

    private ServerControl() {}

    /** Announces {@code port}, answers commands until {@code stop}, then runs {@code shutdown}. */
    static void serve(String name, int port, ServerMetrics metrics, Runnable shutdown) throws IOException {
        PrintStream out = System.out;
        JsonObject ready = new JsonObject();
        ready.addProperty("server", name);
        ready.addProperty("port", port);
        ready.addProperty("pid", ProcessHandle.current().pid());
        ready.addProperty("openFileLimit", ServerMetrics.openFileLimit());
        out.println(READY + ready);
        out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            String command = line.trim();
            if (command.equals("stop")) {
                break;
            } else if (command.equals("stats") || command.equals("gc")) {
                out.println(STATS + metrics.snapshot(command.equals("gc")));
            } else if (!command.isEmpty()) {
                out.println("ERROR unknown command '" + command + "' (use stats, gc or stop)");
            }
            out.flush();
        }
        JsonObject last = metrics.snapshot(false);
        shutdown.run();
        out.println(FINAL + last);
        out.flush();
    }
}
