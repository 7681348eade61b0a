package io.finsent.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.finsent.common.KafkaConnection;
import io.finsent.replay.Replay;
import io.finsent.replay.ReplayCancelledException;
import io.finsent.replay.ReplayException;
import io.finsent.replay.ReplayOptions;
import io.finsent.replay.ReplayReport;
import io.finsent.replay.RunDeletion;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ./monitor replay}: a time range of raw text through the live topology code under a new run id. */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = {"Replays a time range of raw texts through the live topologies under a new run id.",
                "Texts published in [--from, --to) go through the same scoring and trend topologies as live, under a new run id: own Kafka Streams applications and state, own scored topic, trend windows in topic.trends tagged with",
                "the run id (the alerting service writes them as rows and records the run's alerts, never delivering them).",
                "Source: text.raw read by timestamp, or archive files (--file). Ctrl-C stops with everything committed; the same",
                "command (same --run-id) resumes. Scores equal live's only with live's model (--model)."},
        subcommands = ReplayCommand.Delete.class)
final class ReplayCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--from", paramLabel = "ISO", description = "First publication time (inclusive), e.g. 2015-01-01T00:00:00Z. Required.")
    String from;

    @Option(names = "--to", paramLabel = "ISO", description = "End of the range (exclusive). Required.")
    String to;

    @Option(names = "--file", paramLabel = "FILE", description = "Archive files (.jsonl or .csv) to replay instead of text.raw; bad rows become dead letters in replay.<run>.dlq.")
    List<Path> files = List.of();

    @Option(names = "--run-id", paramLabel = "ID", description = "Run id (default: replay-<yyyyMMdd-HHmmss> in UTC); an existing one resumes.")
    String runId;

    @Option(names = "--bootstrap-servers", defaultValue = "127.0.0.1:9092", paramLabel = "HOST:PORT",
            description = "Kafka (default: ${DEFAULT-VALUE}, the embedded stack of ./monitor up).")
    String bootstrapServers;

    @Mixin
    KafkaConfigOption kafkaConfig;

    @Mixin
    DatabaseOptions database;

    @Option(names = "--no-db", description = "Do not wait for the alerting service's trend rows.")
    boolean noDb;

    @Option(names = "--threads", defaultValue = "1", paramLabel = "N", description = "Stream threads per application (default: ${DEFAULT-VALUE}); results do not depend on it.")
    int threads;

    @Option(names = "--max-batch", defaultValue = "256", paramLabel = "N", description = "Texts per model call at most (default: ${DEFAULT-VALUE}); results do not depend on it.")
    int maxBatch;

    @Option(names = "--grace", paramLabel = "DURATION",
            description = "How late (event time) a text may reach its window, e.g. PT10M; later texts are dead letters (default: the whole"
                    + " range plus a window, so none is late: a replay reads a backlog, whose partitions drift apart by up to the range).")
    Duration grace;

    @Mixin
    ModelOption model;

    @Option(names = "--state-dir", description = "Kafka Streams state (default: <tmp>/finsent-replay/<run id>).")
    Path stateDir;

    @Mixin
    JsonOption output;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ReplayOptions options;
        try {
            options = options();
        } catch (IllegalArgumentException e) {
            err.println("monitor replay: " + e.getMessage());
            return 2;
        }
        err.println("replay " + options.runId() + " (delete it with ./monitor replay delete " + options.runId() + ")");
        err.flush();
        Replay replay = new Replay(options, new ReplayProgress(err, "replay"));
        java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(1);
        Thread hook = new Thread(() -> {
            replay.cancel();
            try {
                stopped.await(90, java.util.concurrent.TimeUnit.SECONDS); // let the replay close its applications, committing what they did
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "replay-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        ReplayReport report;
        try {
            report = replay.run();
        } catch (ReplayCancelledException e) {
            err.println("monitor replay: " + e.getMessage());
            return 130;
        } catch (ReplayException | io.finsent.encoder.EncoderException e) {
            err.println("monitor replay: " + e.getMessage());
            return 1;
        } finally {
            stopped.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is shutting down: the hook is running
            }
        }
        if (output.json) {
            out.println(new ObjectMapper().findAndRegisterModules().writeValueAsString(report.toMap()));
        } else {
            out.printf(Locale.ROOT, "Replay %s%s: %s, %s to %s%n", report.runId(), report.resumed() ? " (resumed)" : "", report.source(), report.from(), report.to());
            if (report.staged() > 0) {
                out.printf(Locale.ROOT, "  %d texts staged from the archive files%n", report.staged());
            }
            out.printf(Locale.ROOT, "  %d input records, %d texts scored in %.1f s (%.1f texts/s while scoring)%n", report.inputRecords(), report.scored(),
                    report.seconds(), report.textsPerSecond());
            out.printf(Locale.ROOT, "  %d trend windows in topic.trends; %s%n", report.trendWindows(), report.trendRows() < 0 ? "trend rows not checked"
                    : report.trendRows() + " trend rows in PostgreSQL" + (report.trendRows() < report.trendWindows()
                    ? " (fewer: is the alerting service running? it writes them from topic.trends)" : ""));
            out.printf(Locale.ROOT, "  %d dead letters, %d of them later than the grace (%s)%n", report.deadLetters(), report.late(), options.effectiveGrace());
            out.printf(Locale.ROOT, "  backtest it: ./monitor backtest --run %s%n", report.runId());
        }
        out.flush();
        return 0;
    }

    /** @throws IllegalArgumentException for an argument the replay refuses (a bad time, file, run id, --kafka-config ...) */
    ReplayOptions options() {
        if (from == null || to == null) {
            // Not picocli-required: that would also demand them of `replay delete RUN`.
            throw new IllegalArgumentException("--from and --to are required, e.g. --from 2015-01-01T00:00:00Z --to 2015-01-02T00:00:00Z");
        }
        Instant start = ReplayOptions.instant("--from", from);
        Instant end = ReplayOptions.instant("--to", to);
        for (Path file : files) {
            if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
                throw new IllegalArgumentException("cannot read archive file " + file + ": no such readable file");
            }
        }
        String run = runId != null ? runId
                : "replay-" + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").format(LocalDateTime.now(ZoneOffset.UTC));
        Path state = stateDir != null ? stateDir : Path.of(System.getProperty("java.io.tmpdir"), "finsent-replay", run);
        return ReplayOptions.of(run, start, end, bootstrapServers, model.dir(), state)
                .withFiles(files).withThreads(threads).withMaxBatch(maxBatch).withGrace(grace)
                .withDatabase(noDb ? null : database.url, database.user, Duration.ofMinutes(2)).withKafkaSettings(kafkaConfig.settings());
    }

    /** {@code ./monitor replay delete RUN}. */
    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = {"Deletes a replay run: its rows in trend_window, alert, alert_event and rule_state, its topics, and its",
                    "applications' consumer groups and internal topics. Refuses 'live'."})
    static final class Delete implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "RUN", description = "The run id.")
        String runId;

        @Option(names = "--bootstrap-servers", defaultValue = "127.0.0.1:9092", paramLabel = "HOST:PORT", description = "Kafka (default: ${DEFAULT-VALUE}).")
        String bootstrapServers;

        @Mixin
        KafkaConfigOption kafkaConfig;

        @Mixin
        DatabaseOptions database;

        @Option(names = "--no-db", description = "Leave the database alone (Kafka only).")
        boolean noDb;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            KafkaConnection kafka;
            try {
                kafka = new KafkaConnection(bootstrapServers, kafkaConfig.settings());
            } catch (IllegalArgumentException e) {
                err.println("monitor replay delete: " + e.getMessage());
                return 2;
            }
            try {
                RunDeletion.Result result = RunDeletion.delete(kafka, noDb ? null : database.url, database.user, runId);
                out.printf("Deleted run %s: %d topics, %d consumer groups, rows %s%n", result.runId(), result.topics().size(), result.groups().size(),
                        result.rows());
                out.flush();
                return 0;
            } catch (ReplayException e) {
                err.println("monitor replay delete: " + e.getMessage());
                return 1;
            }
        }
    }
}
