package io.finsent.ingest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keeps a list of field errors small whatever the input: at most {@value #PER_FIELD} errors per field, the rest
 * of that field counted in one more error ({@code tickers: 59 more errors}). Elements of one array are one field
 * ({@code tickers[0]}, {@code tickers[1]} count as {@code tickers}). A refusal must stay a few kilobytes even for a
 * body made of nothing but bad values: a probe with half a million bad tickers once got a 36 MB answer.
 */
public final class FieldErrors {

    public static final int PER_FIELD = 5;

    private FieldErrors() {
    }

    /** The first {@value #PER_FIELD} errors of each field in their order, each field's remainder counted after them. */
    public static List<FieldError> bounded(List<FieldError> errors) {
        Map<String, Integer> perField = new LinkedHashMap<>();
        List<FieldError> kept = new ArrayList<>();
        for (FieldError e : errors) {
            int seen = perField.merge(baseName(e.field()), 1, Integer::sum);
            if (seen <= PER_FIELD) {
                kept.add(e);
            }
        }
        perField.forEach((field, count) -> {
            if (count > PER_FIELD) {
                int more = count - PER_FIELD;
                kept.add(new FieldError(field, more + (more == 1 ? " more error" : " more errors")));
            }
        });
        return kept.size() == errors.size() ? errors : List.copyOf(kept);
    }

    /** {@code tickers[12]} is {@code tickers}. */
    static String baseName(String field) {
        int bracket = field.indexOf('[');
        return bracket < 0 ? field : field.substring(0, bracket);
    }
}
