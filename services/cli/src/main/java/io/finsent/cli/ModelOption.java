package io.finsent.cli;

import java.nio.file.Path;

import picocli.CommandLine.Option;

/** {@code --model}, for every command that loads a model or starts the scorer. */
final class ModelOption {

    @Option(names = "--model", description = "Model directory (default: models/finsent-sentiment-int8 of this checkout on a CPU-only build "
            + "where it exists, else models/finsent-sentiment).")
    Path model;

    /** The directory given, or the checkout's shipped model. */
    Path dir() {
        return model != null ? model : Models.defaultModel();
    }
}
