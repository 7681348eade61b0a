package io.finsent.scoring;

import java.util.List;

import io.finsent.encoder.Encoder;
import io.finsent.encoder.EncodedBatch;

/** The encoder runtime as the scorer's model: one ONNX session shared by every stream thread. */
public final class EncoderTextScorer implements TextScorer {

    private final Encoder encoder;

    public EncoderTextScorer(Encoder encoder) {
        if (encoder.config().labels().isEmpty()) {
            throw new IllegalArgumentException("model " + encoder.config().name()
                    + " has no labels: the scorer needs a sentiment model (see docs/model-directory.md)");
        }
        this.encoder = encoder;
    }

    @Override
    public EncodedBatch score(List<String> texts) {
        return encoder.encodeAll(texts);
    }

    @Override
    public String modelName() {
        return encoder.config().name();
    }

    @Override
    public String modelVersion() {
        return encoder.config().version();
    }
}
