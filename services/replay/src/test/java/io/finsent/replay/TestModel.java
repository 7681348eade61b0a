package io.finsent.replay;

import java.nio.file.Files;
import java.nio.file.Path;

/** The shipped sentiment model of this checkout. */
final class TestModel {

    private TestModel() {
    }

    static Path directory() {
        Path dir = Path.of("../../models/finsent-sentiment").toAbsolutePath().normalize();
        if (!Files.isRegularFile(dir.resolve("model.onnx"))) {
            throw new IllegalStateException("the shipped model is missing at " + dir);
        }
        return dir;
    }
}
