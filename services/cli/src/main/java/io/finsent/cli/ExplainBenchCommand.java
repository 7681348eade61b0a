package io.finsent.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.finsent.bench.eval.LabelledText;
import io.finsent.bench.eval.LabelledTextFile;
import io.finsent.bench.explain.ExplainBenchmark;
import io.finsent.encoder.EncoderException;
import io.finsent.encoder.Occlusion;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ./monitor bench explain}: how faithful the occlusion explanations are, and how fast ({@link ExplainBenchmark}). */
@Command(name = "explain", mixinStandardHelpOptions = true,
        description = {"Measures how faithful and fast the word explanations are.",
                "On labelled negative and positive texts (default: FPB, --split test; --split '' for all rows):",
                "the drop in the predicted label's probability when the 3 heaviest words are removed, against 3 random",
                "words, their ratio (target: at least 2), and explanations per second."})
final class ExplainBenchCommand implements Callable<Integer> {

    static final Path DEFAULT_DATA = Path.of("training", "data", "financial_phrasebank", "financial_phrasebank.tsv");
    static final double TARGET_RATIO = 2.0;

    @Spec
    CommandSpec spec;

    @Option(names = "--data", description = "Tab-separated file with a header row (default: training/data/financial_phrasebank/financial_phrasebank.tsv).")
    Path data;

    @Mixin
    LabelledFileOptions file;

    @Option(names = "--limit", defaultValue = "0", description = "At most this many negative and positive texts, in file order; 0 for all (default: ${DEFAULT-VALUE}).")
    int limit;

    @Mixin
    ModelOption model;

    @Mixin
    DeviceOption device;

    @Mixin
    JsonOption output;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path path = data != null ? data : Models.home().resolve(DEFAULT_DATA);
        if (!Files.isRegularFile(path)) {
            err.println("monitor bench explain: no such file " + path + (data == null ? " (run from the checkout, or give --data)" : ""));
            return 2;
        }
        if (file.split == null) {
            file.split = "test";
        }
        List<LabelledText> rows;
        try {
            rows = file.read(path);
        } catch (LabelledTextFile.InvalidEvaluationFile e) {
            err.println("monitor bench explain: " + e.getMessage());
            return 2;
        }
        List<LabelledText> polar = rows.stream().filter(ExplainBenchmark::polar).toList();
        if (limit > 0 && polar.size() > limit) {
            polar = polar.subList(0, limit);
        }
        if (polar.isEmpty()) {
            err.println("monitor bench explain: " + path + " has no negative or positive rows" + (file.split.isEmpty() ? "" : " in split " + file.split));
            return 2;
        }
        ExplainBenchmark.Result result;
        ProgressBar bar = new ProgressBar(err, "explain", polar.size());
        try {
            int[] done = {0};
            result = ExplainBenchmark.run(model.dir(), device.device, polar, Occlusion.DEFAULT_MAX_WORDS, n -> {
                bar.advance(n - done[0]);
                done[0] = n;
            });
        } catch (EncoderException | IllegalStateException e) {
            err.println("monitor bench explain: " + e.getMessage());
            return 1;
        }
        Map<String, Object> summary = result.toMap();
        summary.put("data", path.toString());
        summary.put("split", file.split);
        summary.put("target_ratio", TARGET_RATIO);
        summary.put("passed", result.faithfulnessRatio() >= TARGET_RATIO);
        if (output.json) {
            out.println(new ObjectMapper().disable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(summary));
        } else {
            out.printf(Locale.ROOT, "%s [%s]: %d negative and positive texts (%d skipped), model %s on %s, %.1f s%n%n", path, file.split, result.texts(),
                    result.skipped(), result.model(), result.device(), result.seconds());
            out.printf(Locale.ROOT, "removing the %d heaviest words   drops p(label) by %.4f%n", ExplainBenchmark.K, result.deletionDropTop());
            out.printf(Locale.ROOT, "removing %d random words         drops p(label) by %.4f%n", ExplainBenchmark.K, result.deletionDropRandom());
            out.printf(Locale.ROOT, "faithfulness ratio               %.2f (target at least %.1f): %s%n", result.faithfulnessRatio(), TARGET_RATIO,
                    result.faithfulnessRatio() >= TARGET_RATIO ? "met" : "NOT met");
            out.printf(Locale.ROOT, "explanations per second          %.1f%n", result.explanationsPerSecond());
        }
        out.flush();
        return 0;
    }
}
