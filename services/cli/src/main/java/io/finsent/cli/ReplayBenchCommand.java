package io.finsent.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;


import io.finsent.cli.bench.PipelineBenchmark;
import io.finsent.replay.Replay;
import io.finsent.replay.ReplayOptions;
import io.finsent.replay.ReplayReport;
import io.finsent.encoder.Encoder;
import io.finsent.encoder.EncoderOptions;
import io.finsent.ingest.archive.ArchiveImport;
import io.finsent.ingest.archive.ImportReport;
import io.finsent.local.LocalStack;
import io.finsent.local.LocalStackConfig;
import io.finsent.scoring.ScorerSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ./monitor bench replay}: a replay's scoring rate against the encoder alone on the same texts, on a fresh embedded broker. */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = {"Imports an archive file into text.raw of a fresh embedded stack (a topic per ticker in it), runs the encoder",
                "alone over its texts in batches, then replays the file's whole time range (scoring and trend topologies,",
                "exactly_once_v2) and reports both rates side by side."})
final class ReplayBenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--data", required = true, description = "Archive JSONL file, e.g. ../shared/data/news_stream/stocknet_tweets_stream.jsonl.")
    Path data;

    @Option(names = "--model", description = "Model directory (default: models/finsent-sentiment of this checkout).")
    Path model;

    @Option(names = "--threads", defaultValue = "1", description = "Stream threads of the replay (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--max-batch", defaultValue = "256", description = "Texts per model call, replay and encoder alone (default: ${DEFAULT-VALUE}).")
    int maxBatch;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path modelDir = model != null ? model : Models.defaultModel();
        Instant[] range = range(data);
        Path dir = Files.createTempDirectory("finsent-bench-replay-");
        err.println("bench replay: starting the embedded broker and database in " + dir);
        try (LocalStack stack = LocalStack.start(LocalStackConfig.ephemeral(dir.resolve("stack")))) {
            int topics = TickerTopics.define(stack.bootstrapServers(), data);
            err.println("bench replay: importing " + data + " into text.raw (" + topics + " ticker topics defined)");
            ImportReport imported = new ArchiveImport(ArchiveImport.Options.defaults(stack.bootstrapServers()), Clock.systemUTC())
                    .run(List.of(data), new ArchiveImport.Progress() { });

            List<String> texts = PipelineBenchmark.readTexts(data, Integer.MAX_VALUE);
            err.println("bench replay: encoder alone on " + texts.size() + " texts in batches of " + maxBatch);
            double encoderAlone;
            try (Encoder encoder = Encoder.open(modelDir, EncoderOptions.defaults().withPaddingMultiple(1).withIntraOpThreads(1))) {
                encoderAlone = PipelineBenchmark.encoderAloneRate(encoder, texts, maxBatch, ScorerSettings.defaults().encoderThreads());
            }

            err.printf(Locale.ROOT, "bench replay: replaying %s to %s%n", range[0], range[1]);
            ReplayOptions options = ReplayOptions.of("bench", range[0], range[1], stack.bootstrapServers(), modelDir, dir.resolve("replay-state"))
                    .withThreads(threads).withMaxBatch(maxBatch);
            ReplayReport report = new Replay(options, new ReplayProgress(err, "bench replay")).run();

            Map<String, Object> result = new LinkedHashMap<>();
            result.put("data", data.toString());
            result.put("imported", imported.published());
            result.put("texts", texts.size());
            result.put("replay_scored", report.scored());
            result.put("replay_texts_per_s", report.textsPerSecond());
            result.put("encoder_alone_per_s", encoderAlone);
            result.put("ratio", report.textsPerSecond() / encoderAlone);
            result.put("trend_windows", report.trendWindows());
            result.put("late", report.late());
            result.put("replay_seconds", report.seconds());
            result.put("threads", threads);
            result.put("max_batch", maxBatch);
            result.put("cpus", Runtime.getRuntime().availableProcessors());
            if (json) {
                out.println(new ObjectMapper().writeValueAsString(result));
            } else {
                out.printf(Locale.ROOT, "replay benchmark: %d texts of %s%n", texts.size(), data);
                out.printf(Locale.ROOT, "%-40s %10.1f texts/s%n", "replay (scoring + trends, exactly_once_v2)", report.textsPerSecond());
                out.printf(Locale.ROOT, "%-40s %10.1f texts/s   (replay = %.2f x)%n", "encoder alone, same texts", encoderAlone,
                        report.textsPerSecond() / encoderAlone);
                out.printf(Locale.ROOT, "%-40s %10d (%d late)%n", "trend windows", report.trendWindows(), report.late());
            }
            out.flush();
            return 0;
        }
    }

    /** The first publication time and just after the last one. */
    private static Instant[] range(Path file) throws java.io.IOException {
        ObjectMapper mapper = new ObjectMapper();
        Instant min = null;
        Instant max = null;
        for (String line : Files.readAllLines(file)) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode at = mapper.readTree(line).get("published_at");
            if (at == null) {
                continue;
            }
            Instant t = Instant.parse(at.asText());
            min = min == null || t.isBefore(min) ? t : min;
            max = max == null || t.isAfter(max) ? t : max;
        }
        if (min == null) {
            throw new IllegalArgumentException(file + " has no published_at");
        }
        return new Instant[] {min, max.plusMillis(1)};
    }
}
