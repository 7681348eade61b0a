package io.finsent.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.finsent.bench.pipeline.DemoTexts;
import io.finsent.bench.pipeline.PipelineBenchmark;
import io.finsent.encoder.Encoder;
import io.finsent.encoder.EncoderOptions;
import io.finsent.scoring.ScorerSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code ./monitor bench pipeline}: the full scoring topology on the embedded broker, against the encoder alone and per-record scoring. */
@Command(name = "pipeline", mixinStandardHelpOptions = true,
        description = {"Runs texts through the full scoring topology (exactly_once_v2) on a fresh embedded broker and reports",
                "scored/s and ingest-to-scored latency, side by side with the encoder alone on the same texts and with",
                "one model call per text."})
final class PipelineBenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--data", description = "JSONL file whose 'headline' (or 'body'/'text') fields are the texts, e.g. ../shared/data/news_stream/stocknet_tweets_stream.jsonl.")
    Path data;

    @Option(names = "--limit", defaultValue = "3000", description = "Texts to use (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--latency-texts", defaultValue = "500", description = "Texts of the latency phase (default: ${DEFAULT-VALUE}).")
    int latencyTexts;

    @Option(names = "--per-record-texts", defaultValue = "300", description = "Texts scored one model call each (default: ${DEFAULT-VALUE}).")
    int perRecordTexts;

    @Mixin
    ModelOption model;

    @Mixin
    DeviceOption device;

    @Option(names = "--padding-multiple", defaultValue = "1", description = "Pad windows to a multiple of this, as the scorer's scorer.padding-multiple (default: ${DEFAULT-VALUE}).")
    int paddingMultiple;

    @Option(names = "--commit-interval-ms", defaultValue = "200", paramLabel = "MS",
            description = "Kafka Streams commit interval, as the scorer's kafka-streams.commit.interval.ms (default: ${DEFAULT-VALUE}).")
    int commitIntervalMs;

    @Option(names = "--model-call-on-stream-thread",
            description = "Make each model call on the stream thread with two intra-op threads, as the scorer did before it ran them beside it "
                    + "(for comparison; by default calls run as the scorer runs them: scorer.encoder-threads calls at once, one thread each).")
    boolean modelCallOnStreamThread;

    @Option(names = "--topics", split = ",", paramLabel = "N",
            description = "Watchlist sizes, e.g. 20,1000,10000: the throughput phase once per size (topics with a ticker and three aliases each, "
                    + "the first 20 real companies), and topic tagging alone against the encoder's time per text; reports scored_per_s_by_topics, "
                    + "topics_ratio (largest against smallest) and tagging_share_by_topics instead of the latency and per-record phases.")
    List<Integer> topics;

    @Mixin
    JsonOption output;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<String> texts = data != null ? PipelineBenchmark.readTexts(data, limit) : DemoTexts.sample(limit);
        if (texts.size() < 2) {
            err.println("monitor bench pipeline: need at least 2 texts, found " + texts.size() + (data == null ? "" : " in " + data));
            return 2;
        }
        ScorerSettings settings = ScorerSettings.defaults();
        if (topics != null && !topics.isEmpty()) {
            if (topics.stream().anyMatch(n -> n < 1) || topics.stream().distinct().count() < 2) {
                err.println("monitor bench pipeline: --topics needs two or more different sizes of at least 1, e.g. 20,1000,10000");
                return 2;
            }
            return byTopics(texts, settings, out, err);
        }
        PipelineBenchmark.Result r;
        try (Encoder encoder = Encoder.open(model.dir(), EncoderOptions.defaults().withDevice(device.device)
                .withPaddingMultiple(paddingMultiple).withIntraOpThreads(modelCallOnStreamThread ? 2 : 1))) {
            r = benchmark(encoder, settings, err).run(texts, latencyTexts, perRecordTexts);
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("texts", r.texts());
        result.put("source", data == null ? "demo" : data.toString());
        result.put("model", r.model());
        result.put("device", r.device());
        result.put("scored_per_s", r.scoredPerSecond());
        result.put("encoder_alone_per_s", r.encoderAlonePerSecond());
        result.put("encoder_alone_before_per_s", r.encoderAloneBefore());
        result.put("encoder_alone_after_per_s", r.encoderAloneAfter());
        result.put("per_record_per_s", r.perRecordPerSecond());
        result.put("ratio_vs_encoder", r.ratioVsEncoder());
        result.put("speedup_vs_per_record", r.speedupVsPerRecord());
        result.put("real_token_share", r.realTokenShare());
        result.put("p50_ms", r.p50Millis());
        result.put("p99_ms", r.p99Millis());
        result.put("latency_texts", r.latencyTexts());
        result.put("per_record_texts", r.perRecordTexts());
        result.put("max_batch_texts", settings.maxBatchTexts());
        result.put("max_wait_ms", settings.maxWait().toMillis());
        result.put("padding_multiple", paddingMultiple);
        result.put("commit_interval_ms", commitIntervalMs);
        result.put("model_call_on_stream_thread", modelCallOnStreamThread);
        if (output.json) {
            out.println(new ObjectMapper().writeValueAsString(result));
        } else {
            out.printf(Locale.ROOT, "pipeline benchmark: %d texts (%s), model %s on %s%n%n", r.texts(), result.get("source"), r.model(), r.device());
            out.printf(Locale.ROOT, "%-34s %10.1f texts/s%n", "full topology, exactly_once_v2", r.scoredPerSecond());
            out.printf(Locale.ROOT, "%-34s %10.1f texts/s   (pipeline = %.2f x)%n", "encoder alone, same texts", r.encoderAlonePerSecond(), r.ratioVsEncoder());
            out.printf(Locale.ROOT, "%-34s %10.1f / %.1f texts/s%n", "  (before / after the pipeline)", r.encoderAloneBefore(), r.encoderAloneAfter());
            out.printf(Locale.ROOT, "%-34s %10.1f texts/s   (pipeline = %.2f x)%n", "one model call per text", r.perRecordPerSecond(), r.speedupVsPerRecord());
            out.printf(Locale.ROOT, "%-34s %10.3f%n", "real-token share", r.realTokenShare());
            out.printf(Locale.ROOT, "%-34s %10.1f ms p50, %.1f ms p99 (%d texts at half the throughput)%n", "ingest-to-scored latency",
                    r.p50Millis(), r.p99Millis(), r.latencyTexts());
        }
        out.flush();
        return 0;
    }

    private PipelineBenchmark benchmark(Encoder encoder, ScorerSettings settings, PrintWriter err) {
        return new PipelineBenchmark(encoder, settings, java.time.Duration.ofMillis(commitIntervalMs), modelCallOnStreamThread, message -> {
            err.println("bench pipeline: " + message);
            err.flush();
        });
    }

    private int byTopics(List<String> texts, ScorerSettings settings, PrintWriter out, PrintWriter err) throws Exception {
        PipelineBenchmark.TopicsResult r;
        try (Encoder encoder = Encoder.open(model.dir(), EncoderOptions.defaults().withDevice(device.device)
                .withPaddingMultiple(paddingMultiple).withIntraOpThreads(modelCallOnStreamThread ? 2 : 1))) {
            r = benchmark(encoder, settings, err).runByTopics(texts, topics);
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("texts", r.texts());
        result.put("source", data == null ? "demo" : data.toString());
        result.put("model", r.model());
        result.put("device", r.device());
        result.put("scored_per_s_by_topics", JsonOption.byCount(r.scoredPerSecond()));
        result.put("topics_ratio", r.topicsRatio());
        result.put("tagging_us_per_text_by_topics", JsonOption.byCount(r.taggingMicros()));
        result.put("tagging_share_by_topics", JsonOption.byCount(r.taggingShare()));
        result.put("encoder_alone_per_s", r.encoderAlonePerSecond());
        result.put("encoder_ms_per_text", r.encoderMillisPerText());
        if (output.json) {
            out.println(new ObjectMapper().writeValueAsString(result));
        } else {
            out.printf(Locale.ROOT, "pipeline benchmark by watchlist size: %d texts (%s), model %s on %s%n%n", r.texts(), result.get("source"),
                    r.model(), r.device());
            out.printf(Locale.ROOT, "%8s %14s %16s %18s%n", "topics", "scored/s", "tagging us/text", "share of encoder");
            r.scoredPerSecond().forEach((n, rate) -> out.printf(Locale.ROOT, "%8d %14.1f %16.1f %17.2f %%%n", n, rate, r.taggingMicros().get(n),
                    100 * r.taggingShare().get(n)));
            out.printf(Locale.ROOT, "%nlargest against smallest watchlist: %.3f x (encoder alone %.1f texts/s, %.2f ms a text)%n", r.topicsRatio(),
                    r.encoderAlonePerSecond(), r.encoderMillisPerText());
        }
        out.flush();
        return 0;
    }
}
