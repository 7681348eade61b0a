package io.finsent.encoder;

import java.nio.file.Path;

/**
 * A model directory is missing a file, or its files disagree with each other or with the contract in
 * {@code docs/model-directory.md}. The message names the file and what to change.
 */
public final class ModelDirectoryException extends EncoderException {

    private final Path file;

    public ModelDirectoryException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    public ModelDirectoryException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
    }

    /** The file at fault. */
    public Path file() {
        return file;
    }
}
