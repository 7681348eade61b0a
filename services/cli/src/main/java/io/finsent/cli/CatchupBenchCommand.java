package io.finsent.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.finsent.bench.pipeline.CatchupBenchmark;
import io.finsent.local.LocalStack;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./monitor bench catchup}: options, then {@link CatchupBenchmark} with the scorer and alerting apps started by
 * {@link EmbeddedPipeline} as {@code ./monitor up} starts them, then its result as a table or {@code --json}.
 */
@Command(name = "catchup", mixinStandardHelpOptions = true,
        description = {"Publishes an archive file to text.raw of a fresh embedded stack (a topic per ticker in it), then starts the scorer",
                "and alerting apps as ./monitor up does and times them until every text is scored exactly once and every trend",
                "window is in PostgreSQL; the encoder alone runs on the same texts first. Counts fenced or restarted stream",
                "threads, duplicates and the trend sink's largest lag."})
final class CatchupBenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--data", description = "Archive file (JSONL), e.g. ../shared/data/news_stream/stocknet_tweets_stream.jsonl "
            + "(default: --limit items of the synthetic demo stream).")
    Path data;

    @Option(names = "--limit", description = "Use only the first N rows of --data (default: all; 5000 demo items without --data).")
    Integer limit;

    @Mixin
    ModelOption model;

    @Option(names = "--timeout", defaultValue = "PT90M", description = "Give up after this long (ISO-8601, default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--keep", description = "Keep the temporary stack's directory (logs, data) afterwards.")
    boolean keep;

    @Mixin
    JsonOption output;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (data != null && !Files.isRegularFile(data)) {
            err.println("monitor bench catchup: " + data + " is not a file");
            return 2;
        }
        if (limit != null && limit < 1) {
            err.println("monitor bench catchup: --limit must be at least 1");
            return 2;
        }
        CatchupBenchmark.Result result;
        try {
            result = new CatchupBenchmark(data, limit, model.dir(), timeout, keep,
                    (stackDir, modelDir, before) -> launch(stackDir, modelDir, before, err)).run(err);
        } catch (CatchupBenchmark.NoTexts e) {
            err.println("monitor bench catchup: " + e.getMessage());
            return 2;
        }
        print(result, out);
        return result.complete() ? 0 : 1;
    }

    /** The scorer and alerting apps on a fresh stack in {@code stackDir}, as {@code ./monitor up} starts them, after {@code before}. */
    private static CatchupBenchmark.Services launch(Path stackDir, Path modelDir, CatchupBenchmark.BeforeServices before, PrintWriter err)
            throws Exception {
        EmbeddedPipeline pipeline = EmbeddedPipeline.start(new EmbeddedPipeline.Options(stackDir, 0, 0, 0, 0, 0, modelDir, null, Map.of(), null),
                err, before::run);
        return new CatchupBenchmark.Services() {
            @Override
            public LocalStack stack() {
                return pipeline.stack();
            }

            @Override
            public String scorerUrl() {
                return pipeline.service("scorer").url();
            }

            @Override
            public void close() {
                pipeline.close();
            }
        };
    }

    private void print(CatchupBenchmark.Result r, PrintWriter out) throws IOException {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("data", data == null ? "demo" : data.toString());
        result.put("texts", r.texts());
        result.put("imported", r.imported());
        result.put("topics", r.topics());
        result.put("catchup_per_s", r.catchupPerSecond());
        result.put("encoder_alone_per_s", r.encoderAlonePerSecond());
        result.put("ratio_vs_encoder", r.ratioVsEncoder());
        result.put("fenced", r.fenced());
        result.put("tasks_resumed", r.tasksResumed());
        result.put("scored_once", r.scoredOnce());
        result.put("duplicates", r.duplicates());
        result.put("dead_letters", r.deadLetters());
        result.put("late", r.late());
        result.put("sink_max_lag", r.sinkMaxLag());
        result.put("texts_stored", r.textsStored());
        result.put("text_sink_max_lag", r.textSinkMaxLag());
        result.put("scorer_max_lag", r.scorerMaxLag());
        result.put("windows", r.windows());
        result.put("mentions", r.mentions());
        result.put("counted_mentions", r.countedMentions());
        result.put("scoring_seconds", r.scoringSeconds());
        result.put("encoder_busy_share", r.encoderBusyShare());
        result.put("mean_batch_texts", r.meanBatchTexts());
        result.put("max_stream_thread_wait_s", r.maxStreamThreadWait());
        result.put("seconds", r.seconds());
        result.put("complete", r.complete());
        result.put("failure", r.failure());
        result.put("cpus", Runtime.getRuntime().availableProcessors());
        if (output.json) {
            out.println(new ObjectMapper().writeValueAsString(result));
        } else {
            out.printf(Locale.ROOT, "catch-up benchmark: %d texts of %s, %d ticker topics%n", r.imported(), result.get("data"), r.topics());
            out.printf(Locale.ROOT, "%-44s %10.1f texts/s%n", "scorer + alerting apps on the backlog", r.catchupPerSecond());
            out.printf(Locale.ROOT, "%-44s %10.1f texts/s   (catch-up = %.2f x)%n", "encoder alone, same texts", r.encoderAlonePerSecond(),
                    r.ratioVsEncoder());
            out.printf(Locale.ROOT, "%-44s %10d (%d tasks resumed with buffered texts)%n", "fenced or restarted stream threads", r.fenced(), r.tasksResumed());
            out.printf(Locale.ROOT, "%-44s %10d once, %d twice or more%n", "scored ids in text.scored", r.scoredOnce(), r.duplicates());
            out.printf(Locale.ROOT, "%-44s %10d windows, %d of %d topic mentions (%d late)%n", "trend windows in PostgreSQL", r.windows(),
                    r.countedMentions(), r.mentions(), r.late());
            out.printf(Locale.ROOT, "%-44s %10d (scorer's input lag at most %d)%n", "trend sink's largest lag", r.sinkMaxLag(), r.scorerMaxLag());
            out.printf(Locale.ROOT, "%-44s %10d (its largest lag %d)%n", "scored texts stored for evidence and search", r.textsStored(),
                    r.textSinkMaxLag());
            out.printf(Locale.ROOT, "%-44s %10.1f s (all scored after %.1f s)%n", "until every window was written", r.seconds(), r.scoringSeconds());
            out.printf(Locale.ROOT, "%-44s %10.2f (mean batch %.0f texts, longest stream-thread wait %.2f s)%n", "encoder busy share while scoring",
                    r.encoderBusyShare(), r.meanBatchTexts(), r.maxStreamThreadWait());
            if (r.failure() != null) {
                out.println("FAILED: " + r.failure());
            }
        }
        out.flush();
    }
}
