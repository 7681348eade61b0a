package io.finsent.scoring;

import java.nio.file.Files;
import java.nio.file.Path;

import io.finsent.encoder.Device;
import io.finsent.encoder.Encoder;
import io.finsent.encoder.EncoderOptions;

/** The repository's shipped sentiment model, opened once per test JVM (one ONNX session, as in production). */
final class ShippedModel {

    private static Encoder encoder;

    private ShippedModel() {
    }

    static Path directory() {
        Path dir = Path.of("../../models/finsent-sentiment").toAbsolutePath().normalize();
        if (!Files.isRegularFile(dir.resolve("model.onnx"))) {
            throw new IllegalStateException("the shipped model is missing at " + dir);
        }
        return dir;
    }

    static synchronized Encoder encoder() {
        if (encoder == null) {
            encoder = Encoder.open(directory(), EncoderOptions.defaults().withDevice(Device.CPU));
        }
        return encoder;
    }
}
