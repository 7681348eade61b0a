package io.finsent.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.finsent.bench.pipeline.ReplayBenchmark;
import io.finsent.replay.ReplayReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ./monitor bench replay}: options, then {@link ReplayBenchmark}, then its result as a table or {@code --json}. */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = {"Imports an archive file into text.raw of a fresh embedded stack (a topic per ticker in it), runs the encoder",
                "alone over its texts in batches, then replays the file's whole time range (scoring and trend topologies,",
                "exactly_once_v2) and reports both rates side by side."})
final class ReplayBenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--data", required = true, description = "Archive JSONL file, e.g. ../shared/data/news_stream/stocknet_tweets_stream.jsonl.")
    Path data;

    @Mixin
    ModelOption model;

    @Option(names = "--threads", defaultValue = "1", description = "Stream threads of the replay (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--max-batch", defaultValue = "256", description = "Texts per model call, replay and encoder alone (default: ${DEFAULT-VALUE}).")
    int maxBatch;

    @Mixin
    JsonOption output;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ReplayBenchmark.Result r = new ReplayBenchmark(data, model.dir(), threads, maxBatch)
                .run(err, new ReplayProgress(err, "bench replay"));
        ReplayReport report = r.replay();
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("data", data.toString());
        result.put("imported", r.imported());
        result.put("texts", r.texts());
        result.put("replay_scored", report.scored());
        result.put("replay_texts_per_s", report.textsPerSecond());
        result.put("encoder_alone_per_s", r.encoderAlonePerSecond());
        result.put("ratio", r.ratio());
        result.put("trend_windows", report.trendWindows());
        result.put("late", report.late());
        result.put("replay_seconds", report.seconds());
        result.put("threads", threads);
        result.put("max_batch", maxBatch);
        result.put("cpus", Runtime.getRuntime().availableProcessors());
        if (output.json) {
            out.println(new ObjectMapper().writeValueAsString(result));
        } else {
            out.printf(Locale.ROOT, "replay benchmark: %d texts of %s%n", r.texts(), data);
            out.printf(Locale.ROOT, "%-40s %10.1f texts/s%n", "replay (scoring + trends, exactly_once_v2)", report.textsPerSecond());
            out.printf(Locale.ROOT, "%-40s %10.1f texts/s   (replay = %.2f x)%n", "encoder alone, same texts", r.encoderAlonePerSecond(),
                    r.ratio());
            out.printf(Locale.ROOT, "%-40s %10d (%d late)%n", "trend windows", report.trendWindows(), report.late());
        }
        out.flush();
        return 0;
    }
}
