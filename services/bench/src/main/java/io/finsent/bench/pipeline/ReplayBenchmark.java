package io.finsent.bench.pipeline;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.finsent.encoder.Encoder;
import io.finsent.encoder.EncoderOptions;
import io.finsent.ingest.archive.ArchiveImport;
import io.finsent.ingest.archive.ImportReport;
import io.finsent.local.LocalStack;
import io.finsent.local.LocalStackConfig;
import io.finsent.replay.Replay;
import io.finsent.replay.ReplayOptions;
import io.finsent.replay.ReplayReport;
import io.finsent.scoring.ScorerSettings;

/**
 * A replay's scoring rate against the encoder alone on the same texts ({@code ./monitor bench replay}): the archive file goes
 * to text.raw of a fresh embedded stack (a topic per ticker in it), the encoder alone runs over its texts in batches, then
 * the file's whole time range is replayed (scoring and trend topologies, exactly_once_v2).
 */
public final class ReplayBenchmark {

    /** @param texts the file's texts, as the encoder alone scored them */
    public record Result(long imported, int texts, double encoderAlonePerSecond, ReplayReport replay) {

        public double ratio() {
            return replay.textsPerSecond() / encoderAlonePerSecond;
        }
    }

    private final Path data;
    private final Path modelDir;
    private final int threads;
    private final int maxBatch;

    /**
     * @param threads  stream threads of the replay
     * @param maxBatch texts per model call, replay and encoder alone
     */
    public ReplayBenchmark(Path data, Path modelDir, int threads, int maxBatch) {
        this.data = data;
        this.modelDir = modelDir;
        this.threads = threads;
        this.maxBatch = maxBatch;
    }

    /** Runs in a fresh temporary directory; phases go to {@code err}, the replay's progress to {@code listener}. */
    public Result run(PrintWriter err, Replay.Listener listener) throws Exception {
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
            ReplayReport report = new Replay(options, listener).run();
            return new Result(imported.published(), texts.size(), encoderAlone, report);
        }
    }

    /** The first publication time and just after the last one. */
    private static Instant[] range(Path file) throws IOException {
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
