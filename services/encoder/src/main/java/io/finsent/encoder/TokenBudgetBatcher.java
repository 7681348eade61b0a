package io.finsent.encoder;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Cuts sequences into ONNX Runtime calls bounded by a token budget (padded tokens, i.e. rows x padded length) and a
 * row count. Each sequence's padded length is a function of its own length alone (rounded up to a multiple, capped at
 * the window length), and {@link #bucketed} only puts sequences of the same padded length into one call, so padding
 * stays small and no sequence's numbers depend on its neighbours.
 */
public final class TokenBudgetBatcher {

    /** One ONNX Runtime call: the sequences (indices into the planned array) and the length they are padded to. */
    public record Batch(int paddedLength, int[] members) {

        public int rows() {
            return members.length;
        }

        public long paddedTokens() {
            return (long) paddedLength * members.length;
        }
    }

    private final int tokenBudget;
    private final int maxBatchSize;
    private final int paddingMultiple;
    private final int maxLength;

    public TokenBudgetBatcher(int tokenBudget, int maxBatchSize, int paddingMultiple, int maxLength) {
        if (tokenBudget < 1 || maxBatchSize < 1 || paddingMultiple < 1 || maxLength < 1) {
            throw new IllegalArgumentException("token budget, batch size, padding multiple and length must be positive");
        }
        this.tokenBudget = tokenBudget;
        this.maxBatchSize = maxBatchSize;
        this.paddingMultiple = paddingMultiple;
        this.maxLength = maxLength;
    }

    /** The length a sequence of {@code length} tokens is padded to: a function of that length alone. */
    public int paddedLength(int length) {
        if (length < 1 || length > maxLength) {
            throw new IllegalArgumentException("sequence length " + length + " outside 1.." + maxLength);
        }
        int rounded = (length + paddingMultiple - 1) / paddingMultiple * paddingMultiple;
        return Math.min(rounded, maxLength);
    }

    /**
     * Length-bucketed batches: sequences sorted by padded length (ties in input order), only equal padded lengths
     * together, each batch within the budget and the row limit (a single sequence longer than the budget still runs
     * alone).
     */
    public List<Batch> bucketed(int[] lengths) {
        Integer[] order = new Integer[lengths.length];
        int[] padded = new int[lengths.length];
        for (int i = 0; i < lengths.length; i++) {
            order[i] = i;
            padded[i] = paddedLength(lengths[i]);
        }
        Arrays.sort(order, Comparator.<Integer>comparingInt(i -> padded[i]).thenComparingInt(i -> i));
        List<Batch> batches = new ArrayList<>();
        int from = 0;
        while (from < order.length) {
            int length = padded[order[from]];
            int rowsAllowed = Math.max(1, Math.min(maxBatchSize, tokenBudget / length));
            int to = from;
            while (to < order.length && to - from < rowsAllowed && padded[order[to]] == length) {
                to++;
            }
            batches.add(new Batch(length, members(order, from, to)));
            from = to;
        }
        return batches;
    }

    /**
     * Arrival-order batches, each padded to its longest sequence: the baseline that {@link #bucketed} is measured
     * against. Results then depend on the neighbours; see {@link BatchOrder#ARRIVAL}.
     */
    public List<Batch> arrival(int[] lengths) {
        List<Batch> batches = new ArrayList<>();
        int from = 0;
        while (from < lengths.length) {
            int longest = paddedLength(lengths[from]);
            int to = from + 1;
            while (to < lengths.length && to - from < maxBatchSize) {
                int widened = Math.max(longest, paddedLength(lengths[to]));
                if ((long) widened * (to - from + 1) > tokenBudget) {
                    break;
                }
                longest = widened;
                to++;
            }
            int[] members = new int[to - from];
            for (int k = 0; k < members.length; k++) {
                members[k] = from + k;
            }
            batches.add(new Batch(longest, members));
            from = to;
        }
        return batches;
    }

    private static int[] members(Integer[] order, int from, int to) {
        int[] members = new int[to - from];
        for (int k = from; k < to; k++) {
            members[k - from] = order[k];
        }
        return members;
    }
}
