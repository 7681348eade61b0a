package io.finsent.bench.eval;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * A tab-separated file with a header row, as Financial PhraseBank ships: a text column, a label column
 * ({@code negative}, {@code neutral}, {@code positive}), optionally a split and an agreement column.
 */
public final class LabelledTextFile {

    public static final Set<String> LABELS = Set.of("negative", "neutral", "positive");

    /** The file cannot be evaluated as it is; the message names the row or column. */
    public static final class InvalidEvaluationFile extends RuntimeException {
        InvalidEvaluationFile(String message) {
            super(message);
        }
    }

    private LabelledTextFile() {
    }

    /**
     * Reads the rows of {@code split} (all rows when null). {@code agreementColumn} is used where the
     * header has it and ignored otherwise.
     */
    public static List<LabelledText> read(Path file, String textColumn, String labelColumn, String splitColumn, String split,
                                          String agreementColumn) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new InvalidEvaluationFile("evaluation file " + file + " does not exist");
        }
        List<LabelledText> rows = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String headerLine = in.readLine();
            if (headerLine == null) {
                throw new InvalidEvaluationFile(file + " is empty; expected a header row");
            }
            List<String> header = Arrays.asList(headerLine.split("\t", -1));
            int text = column(file, header, textColumn, "--text-column");
            int label = column(file, header, labelColumn, "--label-column");
            int splitAt = split == null ? -1 : column(file, header, splitColumn, "--split (column '" + splitColumn + "')");
            int agreement = header.indexOf(agreementColumn);
            String line;
            int number = 1;
            while ((line = in.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                String[] fields = line.split("\t", -1);
                if (fields.length != header.size()) {
                    throw new InvalidEvaluationFile(file + " line " + number + ": " + fields.length + " fields, the header has "
                            + header.size());
                }
                if (splitAt >= 0 && !fields[splitAt].equals(split)) {
                    continue;
                }
                String gold = fields[label].trim().toLowerCase(java.util.Locale.ROOT);
                if (!LABELS.contains(gold)) {
                    throw new InvalidEvaluationFile(file + " line " + number + ": unknown label '" + fields[label]
                            + "' in column '" + labelColumn + "'; expected one of negative, neutral, positive");
                }
                rows.add(new LabelledText(number, fields[text], gold, agreement >= 0 ? fields[agreement] : null));
            }
        }
        if (rows.isEmpty()) {
            throw new InvalidEvaluationFile(file + " has no rows" + (split == null ? "" : " in split '" + split + "'"));
        }
        return rows;
    }

    private static int column(Path file, List<String> header, String name, String option) {
        int index = header.indexOf(name);
        if (index < 0) {
            throw new InvalidEvaluationFile(file + " has no column '" + name + "' (columns: " + String.join(", ", header)
                    + "); choose one with " + option);
        }
        return index;
    }
}
