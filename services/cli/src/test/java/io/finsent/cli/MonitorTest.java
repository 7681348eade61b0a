package io.finsent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;


class MonitorTest {

    private final CliRun cli = new CliRun();
    private final StringWriter out = cli.out;
    private final StringWriter err = cli.err;

    private int run(String... args) {
        return cli.run(args);
    }

    @Test
    void everyCommandIsListedWithAWholeSentence() {
        for (var sub : Monitor.commandLine().getSubcommands().entrySet()) {
            String[] description = sub.getValue().getCommandSpec().usageMessage().description();
            assertThat(description).as(sub.getKey()).isNotEmpty();
            assertThat(description[0]).as(sub.getKey() + "'s first line, the one ./monitor --help lists").endsWith(".").hasSizeLessThan(100);
        }
    }

    @Test
    void everySubcommandHasHelp() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("up");
        for (String sub : Monitor.commandLine().getSubcommands().keySet()) {
            out.getBuffer().setLength(0);
            assertThat(run(sub, "--help")).as(sub).isZero();
            assertThat(out.toString()).as(sub).contains("Usage:");
        }
    }

    @Test
    void anUnknownCommandIsAnErrorThatListsTheKnownOnes() {
        assertThat(run("frobnicate")).isNotZero();
        assertThat(err.toString()).contains("frobnicate");
    }

    @Test
    void upWithABusyPortFailsWithTheReasonAndStartsNothing(@TempDir Path dir) throws IOException {
        try (ServerSocket busy = new ServerSocket()) {
            busy.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));

            int code = run("up", "--data-dir", dir.toString(), "--kafka-port", Integer.toString(busy.getLocalPort()), "--postgres-port", "0");

            assertThat(code).isEqualTo(1);
            assertThat(err.toString()).contains("Kafka port " + busy.getLocalPort()).contains("already in use");
            assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)).isEmpty();
        }
    }

    @Test
    void demoRefusesTooShortARunOrNoRateBeforeStartingAnything() {
        assertThat(run("demo", "--check", "--minutes", "5")).isEqualTo(2);
        assertThat(err.toString()).contains("--minutes must be at least 10");
        assertThat(run("demo", "--check", "--rate", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("--rate must be positive");
        assertThat(run("demo", "--check", "--minutes", "ten")).isEqualTo(2);
        assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)).isEmpty();
    }
}
