package io.finsent.encoder;

/**
 * What one {@link Encoder#encodeAll} call computed.
 *
 * @param realTokens tokens fed to the model, special tokens included, padding excluded
 * @param paddedTokens tokens the model computed, padding included
 * @param paddedSquaredTokens sum over calls of rows x padded length squared (attention cost, for FLOP counts)
 * @param calls ONNX Runtime calls
 * @param tokenizationNanos time spent in the tokenizer
 * @param inferenceNanos time spent building tensors, in ONNX Runtime and in pooling
 */
public record EncodeStats(
        int texts,
        int windows,
        long realTokens,
        long paddedTokens,
        long paddedSquaredTokens,
        int calls,
        long tokenizationNanos,
        long inferenceNanos) {

    /** Share of the computed tokens that were real text (1.0 means no padding). */
    public double realTokenShare() {
        return paddedTokens == 0 ? 1.0 : (double) realTokens / paddedTokens;
    }

    /** Share of the encoder's time spent tokenizing. */
    public double tokenizationShare() {
        long total = tokenizationNanos + inferenceNanos;
        return total == 0 ? 0.0 : (double) tokenizationNanos / total;
    }
}
