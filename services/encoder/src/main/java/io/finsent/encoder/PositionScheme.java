package io.finsent.encoder;

/** How the encoder encodes positions; decides whether windows may be longer than the trained positions. */
public enum PositionScheme {
    /** Learned or sinusoidal absolute positions: {@code window_length <= max_position_embeddings}. */
    ABSOLUTE,
    /** Rotary embeddings (extrapolating). */
    ROTARY,
    /** ALiBi attention biases (extrapolating). */
    ALIBI;

    boolean extrapolates() {
        return this != ABSOLUTE;
    }
}
