package io.finsent.encoder;

/** How a sentence embedding is pooled from the hidden states when the graph has no pooled output. */
public enum Pooling {
    /** The hidden state of the first token ([CLS]). */
    CLS,
    /** The mean of the hidden states of the real (attention-masked) tokens. */
    MEAN
}
