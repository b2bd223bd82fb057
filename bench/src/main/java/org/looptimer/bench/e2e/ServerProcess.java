package org.looptimer.bench.e2e;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A server program ({@link DeadlineServer}, {@link IdleTimeoutProxy}) running in a JVM of its own,
 * driven through its {@link ServerControl} pipe. Its standard error goes to a log file.
 *
 * <p>Threads: one driving thread calls every method; a daemon thread of its own reads the
 * process's output into a queue.
 */
final class ServerProcess implements AutoCloseable {

    private static final long ANSWER_TIMEOUT_SECONDS = 60;

    private final String name;
    private final Process process;
    private final PrintWriter commands;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final int port;
    private final long openFileLimit;
    private boolean exitedOnItsOwn;

    /**
     * Starts {@code mainClass} with {@code args} on this JVM's class path and waits until it
     * listens.
     *
     * @throws IOException if it cannot start or does not say READY within a minute
     */
    ServerProcess(String name, Class<?> mainClass, List<String> jvmOptions, List<String> args, Path log)
            throws IOException, InterruptedException {
        this.name = name;
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        command.addAll(args);
        process = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        Writer toServer = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        commands = new PrintWriter(toServer, true);
        Thread reader = new Thread(this::readOutput, name + "-output");
        reader.setDaemon(true);
        reader.start();
        JsonObject ready = awaitLine(ServerControl.READY);
        port = ready.get("port").getAsInt();
        openFileLimit = ready.get("openFileLimit").getAsLong();
    }

    private void readOutput() {
        try (BufferedReader in =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                lines.add(line);
            }
        } catch (IOException e) {
            lines.add("ERROR output: " + e);
        }
    }

    private JsonObject awaitLine(String prefix) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(ANSWER_TIMEOUT_SECONDS);
        for (; ; ) {
            String line = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new IOException(name + ": no " + prefix.trim() + " line within " + ANSWER_TIMEOUT_SECONDS + " s"
                        + (process.isAlive() ? "" : " (exited with " + process.exitValue() + ")"));
            }
            if (line.startsWith(prefix)) {
                return JsonParser.parseString(line.substring(prefix.length())).getAsJsonObject();
            }
            if (line.startsWith("ERROR")) {
                throw new IOException(name + ": " + line);
            }
        }
    }

    int port() {
        return port;
    }

    long openFileLimit() {
        return openFileLimit;
    }

    /** The server's counters now; with {@code gc}, after a full collection. */
    JsonObject stats(boolean gc) throws IOException, InterruptedException {
        commands.println(gc ? "gc" : "stats");
        return awaitLine(ServerControl.STATS);
    }

    /**
     * Stops the server and waits for its process to exit (30 s, then it is killed); returns its
     * last counters.
     */
    JsonObject stop() throws IOException, InterruptedException {
        commands.println("stop");
        JsonObject last = awaitLine(ServerControl.FINAL);
        exitedOnItsOwn = process.waitFor(30, TimeUnit.SECONDS);
        if (!exitedOnItsOwn) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        return last;
    }

    /** Whether the last {@link #stop} saw the process exit by itself. */
    boolean exitedOnItsOwn() {
        return exitedOnItsOwn;
    }

    /** Kills the process if it is still running (after a failure; {@link #stop} is the normal way). */
    @Override
    public void close() {
        commands.close();
        // Closing its input is a stop; a server that does not take it within 5 s is killed.
        boolean exited = process.onExit()
                .orTimeout(5, TimeUnit.SECONDS)
                .handle((p, e) -> e == null)
                .join();
        if (!exited) {
            process.destroyForcibly();
            process.onExit().orTimeout(10, TimeUnit.SECONDS).handle((p, e) -> p).join();
        }
    }
}
