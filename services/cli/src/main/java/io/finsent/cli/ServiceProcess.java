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
    private final Process process;

    private ServiceProcess(String name, int httpPort, Path log, Process process) {
        this.name = name;
        this.httpPort = httpPort;
        this.log = log;
        this.process = process;
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
        cmd.add("-Dquarkus.http.port=" + httpPort);
        cmd.add("-Dfinsent.parent-pid=" + ProcessHandle.current().pid());
        config.forEach((key, value) -> cmd.add("-D" + key + "=" + value));
        cmd.add("-jar");
        cmd.add(jar.toString());
        Process process = new ProcessBuilder(cmd).directory(home.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        return new ServiceProcess(name, httpPort, log, process);
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
