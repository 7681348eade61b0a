package io.finsent.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Whatever goes wrong while the stack starts: a message that names the cause, and nothing left running. */
@Timeout(180)
class LocalStackFailuresIntegrationTest {

    @TempDir
    Path dir;

    @AfterEach
    void nothingIsLeftRunning() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (ProcessHandle.current().descendants().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                .map(h -> h.pid() + " " + h.info().commandLine().orElse("?")))
                .as("child processes left behind").isEmpty();
    }

    @Test
    void aBusyKafkaPortIsNamed() throws IOException {
        try (ServerSocket busy = new ServerSocket()) {
            busy.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            var config = LocalStackConfig.ephemeral(dir.resolve("stack")).withPorts(busy.getLocalPort(), 0);

            assertThatThrownBy(() -> LocalStack.start(config)).isInstanceOf(LocalStackException.class)
                    .hasMessageContaining("Kafka port " + busy.getLocalPort()).hasMessageContaining("--kafka-port");
        }
    }

    @Test
    void aBusyPostgresPortIsNamedBeforeAnythingStarts() throws IOException {
        try (ServerSocket busy = new ServerSocket()) {
            busy.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            var config = LocalStackConfig.ephemeral(dir.resolve("stack")).withPorts(0, busy.getLocalPort());

            assertThatThrownBy(() -> LocalStack.start(config)).isInstanceOf(LocalStackException.class)
                    .hasMessageContaining("PostgreSQL port " + busy.getLocalPort());
        }
    }

    @Test
    void aDataDirectoryThatCannotBeCreatedIsNamed() throws IOException {
        Path file = Files.writeString(dir.resolve("a-file"), "not a directory");

        assertThatThrownBy(() -> LocalStack.start(LocalStackConfig.ephemeral(file.resolve("stack"))))
                .isInstanceOf(LocalStackException.class).hasMessageContaining("is not writable").hasMessageContaining("--data-dir");
    }

    @Test
    void aBrokerThatDiesAtStartIsReportedWithItsLog() {
        var config = LocalStackConfig.ephemeral(dir.resolve("stack")).withBrokerHeap("1k");

        assertThatThrownBy(() -> LocalStack.start(config)).isInstanceOf(LocalStackException.class)
                .hasMessageContaining("Kafka").hasMessageContaining("heap");
    }

    @Test
    void aFailureAfterTheBrokerStartedStopsTheBroker() throws IOException {
        Path stackDir = dir.resolve("stack");
        Files.createDirectories(stackDir);
        Files.writeString(stackDir.resolve("postgres"), "a file where PostgreSQL's directory should be");

        assertThatThrownBy(() -> LocalStack.start(LocalStackConfig.ephemeral(stackDir)))
                .isInstanceOf(LocalStackException.class).hasMessageContaining("postgres");
    }
}
