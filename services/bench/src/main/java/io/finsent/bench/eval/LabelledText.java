package io.finsent.bench.eval;

/** One row of an evaluation file: its line number (1-based, header = line 1), text, gold label and agreement group. */
public record LabelledText(int line, String text, String label, String agreement) {
}
