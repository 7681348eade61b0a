package io.finsent.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import io.finsent.encoder.Encoder;

/** Where the shipped models live: {@code models/} of the checkout that {@code ./monitor} runs from. */
final class Models {

    private Models() {
    }

    /** The checkout's root, as the {@code ./monitor} script passes it; the working directory otherwise. */
    static Path home() {
        String home = System.getProperty("monitor.home");
        return home == null ? Path.of("").toAbsolutePath() : Path.of(home);
    }

    /** The model used when none is given: {@link Encoder#defaultModel} (int8 on a CPU-only build, where it exists). */
    static Path defaultModel() {
        return Encoder.defaultModel(home().resolve("models"));
    }

    /** The checkout's float model, whatever the default. */
    static Path floatModel() {
        return home().resolve("models").resolve(Encoder.FLOAT_MODEL);
    }

    /** The checkout's int8 model directory, if it has one. */
    static Optional<Path> defaultInt8Model() {
        Path dir = home().resolve("models").resolve(Encoder.INT8_MODEL);
        return Files.isDirectory(dir) ? Optional.of(dir) : Optional.empty();
    }
}
