package io.finsent.cli;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.finsent.local.ChildProcesses;

/**
 * A service (a packaged Quarkus app) run by {@code ./monitor up} as a child process against the
 * embedded stack, its log in the data directory. It is ready when its readiness check answers UP.
 */
final class ServiceProcess implements AutoCloseable {

    private final String name;
    private final int httpPort;
    private final Path log;
    private final List<String> command;
    private final Path home;
    private volatile Process process;

    private ServiceProcess(String name, int httpPort, Path log, List<String> command, Path home) throws IOException {
        this.name = name;
        this.httpPort = httpPort;
        this.log = log;
        this.command = List.copyOf(command);
        this.home = home;
        this.process = launch();
    }

    private Process launch() throws IOException {
        return new ProcessBuilder(command).directory(home.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    /** Starts {@code services/NAME/target/quarkus-app/quarkus-run.jar} with {@code config} as system properties. */
    static ServiceProcess start(String name, Path home, Path logDir, int httpPort, Map<String, String> config) throws IOException {
        Path jar = home.resolve("services").resolve(name).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("the " + name + " service is not built (" + jar + " is missing): run ./mvnw -pl services/"
                    + name + " -am package -DskipTests, or start through ./monitor, which builds it");
        }
        Files.createDirectories(logDir);
        Path log = logDir.resolve(name + ".log");
        List<String> cmd = new ArrayList<>(ChildProcesses.ownSession());
        cmd.add(ChildProcesses.javaCommand());
        cmd.add("-Xmx1g");
        cmd.addAll(ChildProcesses.jvmOptions());
        cmd.add("-Dquarkus.http.port=" + httpPort);
        cmd.add("-Dfinsent.parent-pid=" + ProcessHandle.current().pid());
        config.forEach((key, value) -> cmd.add("-D" + key + "=" + value));
        cmd.add("-jar");
        cmd.add(jar.toString());
        return new ServiceProcess(name, httpPort, log, cmd, home);
    }

    /** Kills the service at once (SIGKILL), as a crash would: for tests of what survives. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
    }

    /** Starts the service again with the same command line and configuration, after {@link #kill()}. */
    void restart() throws IOException {
        if (process.isAlive()) {
            throw new IllegalStateException("the " + name + " service is still running (pid " + process.pid() + ")");
        }
        process = launch();
    }

    /** Waits until the service reports ready; throws with its log's tail if it dies or takes too long. */
    void awaitReady(Duration timeout) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        URI ready = URI.create("http://127.0.0.1:" + httpPort + "/q/health/ready");
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the " + name + " service exited with code " + process.exitValue()
                        + " while starting; last lines of " + log + ":\n" + ChildProcesses.logTail(log));
            }
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(300);
        }
        throw new IllegalStateException("the " + name + " service was not ready within " + timeout.toSeconds() + " s; see " + log);
    }

    String name() {
        return name;
    }

    String url() {
        return "http://127.0.0.1:" + httpPort;
    }

    boolean alive() {
        return process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    Path log() {
        return log;
    }

    @Override
    public void close() {
        ChildProcesses.stop(process, "the " + name + " service", Duration.ofSeconds(30));
    }
}
