package io.finsent.bench.eval;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntConsumer;
import java.util.function.IntFunction;

import io.finsent.encoder.Device;
import io.finsent.encoder.Encoder;
import io.finsent.encoder.EncoderOptions;
import io.finsent.encoder.EncoderResult;

/** Scores labelled texts with the Java encoder runtime and compares its labels with the gold ones ({@code ./monitor eval}). */
public final class Evaluation {

    /** Texts per call to the encoder, and per step of the progress. */
    private static final int CHUNK = 256;

    /** @param device the device the encoder ran on, in lower case */
    public record Result(ClassificationReport report, String modelName, String modelVersion, String device, double seconds) {
    }

    /** The model directory holds an encoder without labels, which predicts no sentiment. */
    public static final class EmbeddingOnlyModel extends RuntimeException {
        EmbeddingOnlyModel(Path modelDir) {
            super(modelDir + " is an embedding-only encoder (config.json has no labels); evaluate a sentiment model");
        }
    }

    private Evaluation() {
    }

    /**
     * Scores {@code rows} with the model in {@code modelDir}. {@code progress} is called once the model is open with the
     * number of rows, and what it returns with the count of each chunk scored.
     *
     * @throws EmbeddingOnlyModel if the model has no labels
     * @throws io.finsent.encoder.EncoderException if the model cannot be opened or run
     */
    public static Result run(Path modelDir, Device device, List<LabelledText> rows, IntFunction<IntConsumer> progress) {
        List<String> predicted = new ArrayList<>(rows.size());
        String name;
        String version;
        String ranOn;
        long started = System.nanoTime();
        try (Encoder encoder = Encoder.open(modelDir, EncoderOptions.defaults().withDevice(device))) {
            if (encoder.config().labels().isEmpty()) {
                throw new EmbeddingOnlyModel(modelDir);
            }
            name = encoder.config().name();
            version = encoder.config().version();
            ranOn = encoder.device().name().toLowerCase(Locale.ROOT);
            IntConsumer scored = progress.apply(rows.size());
            for (int from = 0; from < rows.size(); from += CHUNK) {
                List<String> texts = rows.subList(from, Math.min(rows.size(), from + CHUNK)).stream().map(LabelledText::text).toList();
                for (EncoderResult result : encoder.encodeAll(texts).results()) {
                    predicted.add(result.sentiment().label());
                }
                scored.accept(texts.size());
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        return new Result(ClassificationReport.of(rows, predicted), name, version, ranOn, seconds);
    }
}
