package io.finsent.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import io.finsent.bench.eval.LabelledText;
import io.finsent.bench.eval.LabelledTextFile;
import picocli.CommandLine.Option;

/** The columns and split of a labelled TSV file, for the commands that read one ({@code eval}, {@code bench explain}). */
final class LabelledFileOptions {

    @Option(names = "--split", description = "Only rows whose split column has this value (e.g. test).")
    String split;

    @Option(names = "--split-column", defaultValue = "split", description = "Column holding the split (default: ${DEFAULT-VALUE}).")
    String splitColumn;

    @Option(names = "--text-column", defaultValue = "sentence", description = "Column holding the text (default: ${DEFAULT-VALUE}).")
    String textColumn;

    @Option(names = "--label-column", defaultValue = "label", description = "Column holding negative/neutral/positive (default: ${DEFAULT-VALUE}).")
    String labelColumn;

    @Option(names = "--agreement-column", defaultValue = "agreement", description = "Column grouping rows by annotator agreement, used where present (default: ${DEFAULT-VALUE}).")
    String agreementColumn;

    /** The file's rows (of the split, if one is given). */
    List<LabelledText> read(Path data) throws IOException, LabelledTextFile.InvalidEvaluationFile {
        return LabelledTextFile.read(data, textColumn, labelColumn, splitColumn, split == null || split.isEmpty() ? null : split, agreementColumn);
    }
}
