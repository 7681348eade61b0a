package io.finsent.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.finsent.bench.eval.ClassificationReport;
import io.finsent.bench.eval.Evaluation;
import io.finsent.bench.eval.LabelledText;
import io.finsent.bench.eval.LabelledTextFile;
import io.finsent.encoder.EncoderException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code ./monitor eval}: options, then {@link Evaluation} on a labelled TSV, then classification quality as text or {@code --json}. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Scores a labelled TSV file with the encoder runtime and prints its quality.",
                "The file has a header row. The report: accuracy, macro-F1, per-class precision/recall/F1, the confusion matrix and accuracy per agreement level."})
final class EvalCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--data", required = true, description = "Tab-separated file with a header row, e.g. training/data/financial_phrasebank/financial_phrasebank.tsv.")
    Path data;

    @Mixin
    LabelledFileOptions file;

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
        List<LabelledText> rows;
        try {
            rows = file.read(data);
        } catch (LabelledTextFile.InvalidEvaluationFile e) {
            err.println("monitor eval: " + e.getMessage());
            return 2;
        }
        Evaluation.Result result;
        try {
            result = Evaluation.run(model.dir(), device.device, rows, total -> new ProgressBar(err, "eval", total)::advance);
        } catch (Evaluation.EmbeddingOnlyModel e) {
            err.println("monitor eval: " + e.getMessage());
            return 2;
        } catch (EncoderException e) {
            err.println("monitor eval: " + e.getMessage());
            return 1;
        }
        Map<String, Object> modelInfo = new LinkedHashMap<>();
        modelInfo.put("name", result.modelName());
        modelInfo.put("version", result.modelVersion());
        modelInfo.put("device", result.device());
        if (output.json) {
            out.println(toJson(result.report(), modelInfo, result.seconds()));
        } else {
            printText(out, result.report(), modelInfo, result.seconds());
        }
        out.flush();
        return 0;
    }

    private String toJson(ClassificationReport report, Map<String, Object> modelInfo, double seconds) throws IOException {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("data", data.toString());
        root.put("split", file.split);
        root.put("model", modelInfo);
        root.put("n", report.n());
        root.put("accuracy", report.accuracy());
        root.put("macro_f1", report.macroF1());
        Map<String, Object> perClass = new LinkedHashMap<>();
        report.perClass().forEach((label, m) -> perClass.put(label,
                Map.of("precision", m.precision(), "recall", m.recall(), "f1", m.f1(), "support", m.support())));
        root.put("per_class", perClass);
        root.put("confusion", Map.of("labels", report.labels(), "rows_are", "gold", "columns_are", "predicted", "matrix", report.confusion()));
        Map<String, Object> perAgreement = new LinkedHashMap<>();
        report.perAgreement().forEach((group, g) -> perAgreement.put(group, Map.of("n", g.n(), "accuracy", g.accuracy())));
        root.put("per_agreement", perAgreement);
        root.put("seconds", seconds);
        return new ObjectMapper().disable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(root);
    }

    private void printText(PrintWriter out, ClassificationReport report, Map<String, Object> modelInfo, double seconds) {
        out.printf(Locale.ROOT, "%s%s: %d texts, model %s %s on %s, %.1f s%n%n", data, file.split == null ? "" : " [" + file.split + "]",
                report.n(), modelInfo.get("name"), modelInfo.get("version"), modelInfo.get("device"), seconds);
        out.printf(Locale.ROOT, "accuracy  %.4f%nmacro-F1  %.4f%n%n", report.accuracy(), report.macroF1());
        out.printf(Locale.ROOT, "%-10s %9s %9s %9s %8s%n", "class", "precision", "recall", "F1", "support");
        report.perClass().forEach((label, m) -> out.printf(Locale.ROOT, "%-10s %9.4f %9.4f %9.4f %8d%n", label, m.precision(),
                m.recall(), m.f1(), m.support()));
        out.printf("%nconfusion (rows: gold, columns: predicted)%n%-10s", "");
        report.labels().forEach(l -> out.printf("%10s", l));
        out.println();
        for (int i = 0; i < report.labels().size(); i++) {
            out.printf("%-10s", report.labels().get(i));
            for (long count : report.confusion()[i]) {
                out.printf("%10d", count);
            }
            out.println();
        }
        if (!report.perAgreement().isEmpty()) {
            out.printf("%naccuracy per agreement level%n");
            report.perAgreement().forEach((group, g) -> out.printf(Locale.ROOT, "%-10s %.4f  (n=%d)%n", group, g.accuracy(), g.n()));
        }
    }
}
