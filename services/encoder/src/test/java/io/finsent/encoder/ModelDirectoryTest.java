package io.finsent.encoder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A model directory that breaks the contract fails with an exception naming the file and the fix. */
class ModelDirectoryTest {

    private static final String SENTIMENT_CONFIG = """
            {"name": "finsent-sentiment", "version": "1.0.0",
             "labels": {"0": "negative", "1": "neutral", "2": "positive"},
             "max_position_embeddings": 512, "position_scheme": "absolute", "window_length": 512, "pooling": "cls",
             "outputs": {"logits": "logits", "embedding": "embedding", "hidden_states": null}}
            """;

    @TempDir
    Path dir;

    @Test
    void readsTheContractExample() throws IOException {
        ModelDirectory model = ModelDirectory.load(directoryWith(SENTIMENT_CONFIG));

        ModelConfig config = model.config();
        assertThat(config.labels()).containsExactly("negative", "neutral", "positive");
        assertThat(config.windowLength()).isEqualTo(512);
        assertThat(config.pooling()).isEqualTo(Pooling.CLS);
        assertThat(config.classifies()).isTrue();
        assertThat(config.embeddingOutput()).isEqualTo("embedding");
        assertThat(config.hiddenStatesOutput()).isNull();
    }

    @Test
    void windowLengthDefaultsToMaxPositionsAndRotaryModelsMayRunLonger() throws IOException {
        ModelConfig rotary = ModelDirectory.load(directoryWith(SENTIMENT_CONFIG
                .replace("\"absolute\"", "\"rotary\"").replace("\"window_length\": 512", "\"window_length\": 2048")))
                .config();
        assertThat(rotary.windowLength()).isEqualTo(2048);

        ModelConfig defaulted = ModelDirectory.load(directoryWith(SENTIMENT_CONFIG
                .replace("\"window_length\": 512,", ""))).config();
        assertThat(defaulted.windowLength()).isEqualTo(512);
    }

    @Test
    void missingFilesAreNamed() throws IOException {
        for (String file : new String[] {"tokenizer.json", "model.onnx", "config.json"}) {
            Path model = directoryWith(SENTIMENT_CONFIG);
            Files.delete(model.resolve(file));
            assertThatThrownBy(() -> ModelDirectory.load(model))
                    .isInstanceOf(ModelDirectoryException.class)
                    .hasMessageContaining(file)
                    .hasMessageContaining("is missing")
                    .satisfies(e -> assertThat(((ModelDirectoryException) e).file().getFileName().toString())
                            .isEqualTo(file));
        }
        assertThatThrownBy(() -> ModelDirectory.load(dir.resolve("absent")))
                .isInstanceOf(ModelDirectoryException.class)
                .hasMessageContaining("is not a directory");
    }

    @Test
    void inconsistentConfigsAreRejectedWithTheFix() throws IOException {
        assertRejected("{ not json", "is not valid JSON");
        assertRejected(SENTIMENT_CONFIG.replace("\"window_length\": 512", "\"window_length\": 1024"),
                "exceeds max_position_embeddings 512");
        assertRejected(SENTIMENT_CONFIG.replace("\"logits\": \"logits\"", "\"logits\": null"),
                "outputs.logits is null");
        assertRejected(SENTIMENT_CONFIG.replace("\"2\": \"positive\"", "\"2\": \"bullish\""),
                "exactly negative, neutral and positive");
        assertRejected(SENTIMENT_CONFIG.replace("\"2\": \"positive\"", "\"5\": \"positive\""),
                "output indices 0..2");
        assertRejected(SENTIMENT_CONFIG.replace("\"pooling\": \"cls\"", "\"pooling\": \"max\""),
                "\"pooling\" must be one of [cls, mean]");
        assertRejected(SENTIMENT_CONFIG.replace("\"embedding\": \"embedding\"", "\"embedding\": null"),
                "needs outputs.embedding or outputs.hidden_states");
        assertRejected(SENTIMENT_CONFIG.replace("\"name\": \"finsent-sentiment\",", ""), "\"name\"");
        assertRejected(SENTIMENT_CONFIG.replace("\"window_length\": 512", "\"window_length\": 2"),
                "at least 3");
    }

    @Test
    void outputNamesAreCheckedAgainstTheGraph() throws IOException {
        Path model = TestModels.baseEncoderWithConfig(dir, """
                {"name": "base", "version": "1", "max_position_embeddings": 512, "window_length": 128,
                 "pooling": "mean", "outputs": {"logits": null, "embedding": null, "hidden_states": "hidden"}}
                """);

        assertThatThrownBy(() -> Encoder.open(model, EncoderOptions.defaults().withDevice(Device.CPU)))
                .isInstanceOf(ModelDirectoryException.class)
                .hasMessageContaining("config.json")
                .hasMessageContaining("outputs.hidden_states names 'hidden'")
                .hasMessageContaining("last_hidden_state");
    }

    @Test
    void aBrokenGraphOrTokenizerIsNamed() throws IOException {
        Path model = directoryWith(SENTIMENT_CONFIG);

        assertThatThrownBy(() -> Encoder.open(model, EncoderOptions.defaults().withDevice(Device.CPU)))
                .isInstanceOf(ModelDirectoryException.class)
                .hasMessageContaining("tokenizer.json");
        Files.copy(TestModels.baseEncoder().resolve("tokenizer.json"), model.resolve("tokenizer.json"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThatThrownBy(() -> Encoder.open(model, EncoderOptions.defaults().withDevice(Device.CPU)))
                .isInstanceOf(ModelDirectoryException.class)
                .hasMessageContaining("model.onnx")
                .hasMessageContaining("ONNX Runtime cannot load it");
    }

    private void assertRejected(String config, String expected) throws IOException {
        Path model = directoryWith(config);
        assertThatThrownBy(() -> ModelDirectory.load(model))
                .isInstanceOf(ModelDirectoryException.class)
                .hasMessageContaining("config.json")
                .hasMessageContaining(expected);
    }

    private Path directoryWith(String config) throws IOException {
        Path model = Files.createDirectories(dir.resolve("m"));
        Files.writeString(model.resolve("model.onnx"), "not a graph");
        Files.writeString(model.resolve("tokenizer.json"), "{}");
        Files.writeString(model.resolve("config.json"), config);
        return model;
    }
}
