package io.finsent.encoder;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A model directory as defined in {@code docs/model-directory.md}: {@code model.onnx}, {@code tokenizer.json} and
 * {@code config.json}. Loading checks that the files exist and that {@code config.json} is consistent; the graph's
 * signature and the tokenizer are checked when an {@link Encoder} opens them.
 */
public record ModelDirectory(Path root, ModelConfig config) {

    public static final String MODEL_FILE = "model.onnx";
    public static final String TOKENIZER_FILE = "tokenizer.json";
    public static final String CONFIG_FILE = "config.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Loads {@code directory}, failing with a {@link ModelDirectoryException} that names the file at fault. */
    public static ModelDirectory load(Path directory) {
        Path root = directory.toAbsolutePath().normalize();
        if (!Files.isDirectory(root)) {
            throw new ModelDirectoryException(root, "is not a directory; point the encoder at a model directory"
                    + " holding model.onnx, tokenizer.json and config.json (docs/model-directory.md)");
        }
        for (String name : new String[] {MODEL_FILE, TOKENIZER_FILE, CONFIG_FILE}) {
            Path file = root.resolve(name);
            if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
                throw new ModelDirectoryException(file, "is missing or unreadable; every model directory needs "
                        + name + " (" + purpose(name) + "), see docs/model-directory.md");
            }
        }
        return new ModelDirectory(root, ModelConfig.read(root.resolve(CONFIG_FILE), JSON));
    }

    public Path modelFile() {
        return root.resolve(MODEL_FILE);
    }

    public Path tokenizerFile() {
        return root.resolve(TOKENIZER_FILE);
    }

    public Path configFile() {
        return root.resolve(CONFIG_FILE);
    }

    private static String purpose(String name) {
        return switch (name) {
            case MODEL_FILE -> "the ONNX encoder graph";
            case TOKENIZER_FILE -> "the HuggingFace tokenizer saved with the model";
            default -> "name, version, labels, window_length, pooling and output names";
        };
    }
}
