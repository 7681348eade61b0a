package io.finsent.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Where the shipped models live: {@code models/} of the checkout that {@code ./monitor} runs from. */
final class Models {

    static final String DEFAULT_MODEL = "finsent-sentiment";
    /** The static int8 copy of the default model (issue 22), where it exists. */
    static final String INT8_MODEL = "finsent-sentiment-int8";

    private Models() {
    }

    /** The checkout's root, as the {@code ./monitor} script passes it; the working directory otherwise. */
    static Path home() {
        String home = System.getProperty("monitor.home");
        return home == null ? Path.of("").toAbsolutePath() : Path.of(home);
    }

    static Path defaultModel() {
        return home().resolve("models").resolve(DEFAULT_MODEL);
    }

    /** The checkout's int8 model directory, if it has one. */
    static Optional<Path> defaultInt8Model() {
        Path dir = home().resolve("models").resolve(INT8_MODEL);
        return Files.isDirectory(dir) ? Optional.of(dir) : Optional.empty();
    }
}
