package io.finsent.encoder;

import java.util.Optional;

/**
 * What the encoder says about one text.
 *
 * @param sentiment label and probabilities; {@code null} for an embedding-only encoder (a model without labels)
 * @param embedding the pooled sentence embedding (token-weighted mean over windows)
 * @param windows windows scored
 * @param tokens tokens of the text, special tokens excluded (all of them, also when windows were capped)
 * @param windowsCapped whether the text needed more windows than the per-text cap, so that evenly spaced windows were
 *     scored instead of all of them
 */
public record EncoderResult(Sentiment sentiment, float[] embedding, int windows, int tokens, boolean windowsCapped) {

    /** The sentiment, empty for an embedding-only encoder. */
    public Optional<Sentiment> classification() {
        return Optional.ofNullable(sentiment);
    }
}
