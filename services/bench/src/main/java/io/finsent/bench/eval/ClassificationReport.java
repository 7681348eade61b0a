package io.finsent.bench.eval;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Accuracy, macro-F1, per-class precision/recall/F1, the confusion matrix and accuracy per agreement level. */
public record ClassificationReport(int n, double accuracy, double macroF1, Map<String, ClassMetrics> perClass,
                                   List<String> labels, long[][] confusion, Map<String, GroupAccuracy> perAgreement) {

    public static final List<String> LABELS = List.of("negative", "neutral", "positive");

    public record ClassMetrics(double precision, double recall, double f1, long support) {
    }

    public record GroupAccuracy(int n, double accuracy) {
    }

    /** {@code predicted.get(i)} is the model's label for {@code rows.get(i)}. */
    public static ClassificationReport of(List<LabelledText> rows, List<String> predicted) {
        if (rows.size() != predicted.size()) {
            throw new IllegalArgumentException(rows.size() + " rows but " + predicted.size() + " predictions");
        }
        long[][] confusion = new long[LABELS.size()][LABELS.size()];
        Map<String, int[]> groups = new TreeMap<>();
        int correct = 0;
        for (int i = 0; i < rows.size(); i++) {
            LabelledText row = rows.get(i);
            int gold = index(row.label());
            int guess = index(predicted.get(i));
            confusion[gold][guess]++;
            boolean right = gold == guess;
            correct += right ? 1 : 0;
            if (row.agreement() != null) {
                int[] group = groups.computeIfAbsent(row.agreement(), k -> new int[2]);
                group[0]++;
                group[1] += right ? 1 : 0;
            }
        }
        Map<String, ClassMetrics> perClass = new LinkedHashMap<>();
        double f1Sum = 0;
        for (int c = 0; c < LABELS.size(); c++) {
            long tp = confusion[c][c];
            long predictedC = 0;
            long actualC = 0;
            for (int k = 0; k < LABELS.size(); k++) {
                predictedC += confusion[k][c];
                actualC += confusion[c][k];
            }
            double precision = predictedC == 0 ? 0 : (double) tp / predictedC;
            double recall = actualC == 0 ? 0 : (double) tp / actualC;
            double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            f1Sum += f1;
            perClass.put(LABELS.get(c), new ClassMetrics(precision, recall, f1, actualC));
        }
        Map<String, GroupAccuracy> perAgreement = new LinkedHashMap<>();
        groups.forEach((group, counts) -> perAgreement.put(group, new GroupAccuracy(counts[0], (double) counts[1] / counts[0])));
        return new ClassificationReport(rows.size(), (double) correct / rows.size(), f1Sum / LABELS.size(), perClass, LABELS,
                confusion, perAgreement);
    }

    private static int index(String label) {
        int index = LABELS.indexOf(label);
        if (index < 0) {
            throw new IllegalArgumentException("unknown label '" + label + "'");
        }
        return index;
    }
}
