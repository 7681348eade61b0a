package io.finsent.cli;

import java.nio.file.Path;

/** Where the shipped models live: {@code models/} of the checkout that {@code ./monitor} runs from. */
final class Models {

    static final String DEFAULT_MODEL = "finsent-sentiment";

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
}
