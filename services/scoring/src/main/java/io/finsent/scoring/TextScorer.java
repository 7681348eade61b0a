package io.finsent.scoring;

import java.util.List;

import io.finsent.encoder.EncodedBatch;

/** The model behind the scorer: one call scores many texts. Implementations are thread-safe. */
public interface TextScorer {

    /** Results in input order. Throws when the model call fails as a whole (e.g. out of GPU memory). */
    EncodedBatch score(List<String> texts);

    String modelName();

    String modelVersion();
}
