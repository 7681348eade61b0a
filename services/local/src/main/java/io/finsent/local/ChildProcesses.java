package io.finsent.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.jboss.logging.Logger;

/** How the stack starts its child processes. */
public final class ChildProcesses {

    private static final Logger LOG = Logger.getLogger(ChildProcesses.class);
    private static final Path SETSID = Path.of("/usr/bin/setsid");

    private ChildProcesses() {
    }

    /**
     * The command prefix that puts a child in a session of its own, where the system has {@code setsid}.
     * Ctrl-C in a terminal then reaches only the parent, which stops its children in order (services
     * before the broker they use) instead of all of them at once.
     */
    public static List<String> ownSession() {
        return Files.isExecutable(SETSID) ? List.of(SETSID.toString()) : List.of();
    }

    /**
     * JVM options of the stack's own child JVMs (the broker, and the services {@code ./monitor} starts): the C1 compiler
     * only. On a small machine the C2 compiler threads of four young JVMs took about 0.2 of 2 cores for the first minutes
     * of a backlog, beside an encoder that needs every core; the services' Java code is not what limits them (the scorer's
     * time is in ONNX Runtime, the others wait on Kafka and PostgreSQL). Measured side by side on 12,000 tweets with
     * {@code ./monitor bench catchup}: 103.9 against 92.8 texts/s. Production images keep the JVM's defaults.
     */
    public static List<String> jvmOptions() {
        return List.of("-XX:TieredStopAtLevel=1");
    }

    /** The java binary of this JVM, for child JVMs. */
    public static String javaCommand() {
        return ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /** A controlled stop (SIGTERM) first, then a kill when {@code name} takes longer than {@code grace}. */
    public static void stop(Process process, String name, Duration grace) {
        process.destroy();
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warnf("%s did not stop within %d s; killing it", name, grace.toSeconds());
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** The last lines of a child's log, for an error message that says why it died. */
    public static String logTail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 25), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
