package io.finsent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import picocli.CommandLine;

/** {@code ./monitor replay} and {@code ./monitor backtest} refuse bad input with a reason and a non-zero exit code, before or without a broker. */
class ReplayCommandTest {

    private static final String FROM = "2015-01-01T00:00:00Z";
    private static final String TO = "2015-01-02T00:00:00Z";

    private final CliRun cli = new CliRun();
    private final StringWriter out = cli.out;
    private final StringWriter err = cli.err;

    private int run(String... args) {
        return cli.run(args);
    }

    @Test
    void toBeforeFromIsRefused() {
        assertThat(run("replay", "--from", TO, "--to", FROM, "--no-db")).isEqualTo(2);
        assertThat(err.toString()).contains("--from (" + TO + ") must be before --to (" + FROM + ")");
    }

    @Test
    void aTimeThatIsNotIsoIsRefused() {
        assertThat(run("replay", "--from", "yesterday", "--to", TO)).isEqualTo(2);
        assertThat(err.toString()).contains("--from 'yesterday' is not an ISO-8601 instant");
    }

    @Test
    void theLiveRunIdCannotBeReplayedIntoOrDeleted() {
        assertThat(run("replay", "--from", FROM, "--to", TO, "--run-id", "live")).isEqualTo(2);
        assertThat(err.toString()).contains("run id 'live' is the live pipeline's");
        err.getBuffer().setLength(0);

        assertThat(run("replay", "delete", "live")).isEqualTo(1);
        assertThat(err.toString()).contains("refusing to delete run 'live'");
    }

    @Test
    void aRunIdThatCannotNameATopicIsRefused() {
        assertThat(run("replay", "--from", FROM, "--to", TO, "--run-id", "a|b")).isEqualTo(2);
        assertThat(err.toString()).contains("run id 'a|b' must be");
    }

    @Test
    void anUnreadableFileIsRefusedBeforeAnythingStarts(@TempDir Path dir) throws IOException {
        Path missing = dir.resolve("missing.jsonl");
        assertThat(run("replay", "--from", FROM, "--to", TO, "--file", missing.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("cannot read archive file " + missing);

        Path unreadable = Files.writeString(dir.resolve("secret.jsonl"), "{}\n");
        if (unreadable.toFile().setReadable(false) && !Files.isReadable(unreadable)) { // root reads anything
            err.getBuffer().setLength(0);
            assertThat(run("replay", "--from", FROM, "--to", TO, "--file", unreadable.toString())).isEqualTo(2);
            assertThat(err.toString()).contains("cannot read archive file");
        }
    }

    @Test
    void noBrokerIsAClearError() throws IOException {
        int port = freePort();
        assertThat(run("replay", "--from", FROM, "--to", TO, "--no-db", "--bootstrap-servers", "127.0.0.1:" + port)).isEqualTo(1);
        assertThat(err.toString()).contains("no Kafka broker answers at 127.0.0.1:" + port).contains("./monitor up");

        err.getBuffer().setLength(0);
        assertThat(run("replay", "delete", "some-run", "--bootstrap-servers", "127.0.0.1:" + port)).isEqualTo(1);
        assertThat(err.toString()).contains("no Kafka broker answers");
    }

    @Test
    void backtestRefusesBadParametersAndAMissingDatabase() throws IOException {
        assertThat(run("backtest", "--run", "r1", "--params", "nothing")).isEqualTo(2);
        assertThat(err.toString()).contains("--params 'nothing' is not NAME=JSON");
        err.getBuffer().setLength(0);

        assertThat(run("backtest", "--run", "r1", "--params", "x={\"negativeShareSigmas\": -1}")).isEqualTo(2);
        assertThat(err.toString()).contains("negativeShareSigmas");
        err.getBuffer().setLength(0);

        int port = freePort();
        assertThat(run("backtest", "--run", "r1", "--jdbc-url", "jdbc:postgresql://127.0.0.1:" + port + "/finsent")).isEqualTo(1);
        assertThat(err.toString()).contains("cannot connect to PostgreSQL");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            return socket.getLocalPort();
        }
    }

    @Test
    void aMissingKafkaConfigIsRefusedBeforeAnythingConnects(@TempDir Path dir) {
        String missing = dir.resolve("missing.properties").toString();
        for (String[] args : List.of(new String[] {"replay", "--from", FROM, "--to", TO, "--no-db", "--kafka-config", missing},
                new String[] {"replay", "delete", "some-run", "--no-db", "--kafka-config", missing},
                new String[] {"import", dir.resolve("archive.jsonl").toString(), "--kafka-config", missing})) {
            err.getBuffer().setLength(0);
            assertThat(run(args)).as(String.join(" ", args)).isEqualTo(2);
            assertThat(err.toString()).as(String.join(" ", args)).contains("cannot read --kafka-config " + missing + ": no such file");
        }
    }

    @Test
    void theKafkaConfigsSettingsReachTheReplayAndTheImport(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("client.properties"), """
                # as for kafka-console-consumer --command-config
                security.protocol=SASL_SSL
                sasl.mechanism=SCRAM-SHA-512
                sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="replay" password="p";
                """);
        Map<String, String> expected = Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-512",
                "sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"replay\" password=\"p\";");

        ReplayCommand replay = parsed(ReplayCommand.class, "replay", "--from", FROM, "--to", TO, "--kafka-config", file.toString());
        assertThat(replay.options().kafkaSettings()).isEqualTo(expected);
        assertThat(replay.options().bootstrapServers()).isEqualTo("127.0.0.1:9092");

        ImportCommand importing = parsed(ImportCommand.class, "import", "archive.jsonl", "--kafka-config", file.toString());
        assertThat(importing.options().kafkaSettings()).isEqualTo(expected);

        ReplayCommand plain = parsed(ReplayCommand.class, "replay", "--from", FROM, "--to", TO);
        assertThat(plain.options().kafkaSettings()).isEmpty();
    }

    private static <T> T parsed(Class<T> command, String... args) {
        CommandLine.ParseResult result = Monitor.commandLine().parseArgs(args);
        return command.cast(result.subcommand().commandSpec().userObject());
    }
}
