package io.finsent.encoder;

/** How windows are grouped into ONNX Runtime calls. */
public enum BatchOrder {
    /**
     * Default. Windows are sorted by padded length and only windows of the same padded length share a call, so a
     * text's result is bit-identical whatever its neighbours (replay equals live).
     */
    LENGTH_BUCKETED,
    /**
     * Windows are taken in arrival order and padded to the longest in their call: the baseline that measurements of
     * bucketing compare against. Breaks batch invariance (a text's floats depend on its neighbours); never use it for scoring.
     */
    ARRIVAL
}
