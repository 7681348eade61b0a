package io.finsent.encoder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The parsed {@code config.json} of a model directory (see {@code docs/model-directory.md}).
 *
 * @param labels output index of {@code logits} to label; empty for an embedding-only encoder
 * @param logitsOutput graph output holding {@code [batch, labels]} logits, or {@code null}
 * @param embeddingOutput graph output holding a pooled {@code [batch, hidden]} embedding, or {@code null}
 * @param hiddenStatesOutput graph output holding {@code [batch, seq, hidden]}, used with {@code pooling} when
 *     {@code embeddingOutput} is {@code null}
 */
public record ModelConfig(
        String name,
        String version,
        List<String> labels,
        int maxPositionEmbeddings,
        PositionScheme positionScheme,
        int windowLength,
        Pooling pooling,
        String logitsOutput,
        String embeddingOutput,
        String hiddenStatesOutput) {

    /** The labels a sentiment model must have, in any index order. */
    public static final Set<String> SENTIMENT_LABELS = Set.of("negative", "neutral", "positive");

    /** Smallest useful window: two special tokens and one token of text. */
    static final int MIN_WINDOW_LENGTH = 3;

    public ModelConfig {
        labels = List.copyOf(labels);
    }

    /** Whether the model classifies sentiment (it has labels and a logits output). */
    public boolean classifies() {
        return !labels.isEmpty();
    }

    /** Index of {@code label} in the logits. */
    public int labelIndex(String label) {
        int index = labels.indexOf(label);
        if (index < 0) {
            throw new IllegalArgumentException("model " + name + " has no label '" + label + "'");
        }
        return index;
    }

    /** Reads and validates {@code file}; every problem is reported as a {@link ModelDirectoryException} on it. */
    public static ModelConfig read(Path file, ObjectMapper json) {
        JsonNode root;
        try {
            root = json.readTree(file.toFile());
        } catch (IOException e) {
            throw new ModelDirectoryException(file, "is not valid JSON (" + e.getMessage()
                    + "); fix it following docs/model-directory.md", e);
        }
        if (root == null || !root.isObject()) {
            throw new ModelDirectoryException(file, "must hold a JSON object; see docs/model-directory.md");
        }
        Fields fields = new Fields(file, root);
        String name = fields.requiredText("name");
        String version = fields.requiredText("version");
        List<String> labels = fields.labels();
        int maxPositions = fields.requiredPositiveInt("max_position_embeddings");
        PositionScheme scheme = fields.enumValue("position_scheme", PositionScheme.class, PositionScheme.ABSOLUTE);
        int windowLength = root.has("window_length") ? fields.requiredPositiveInt("window_length") : maxPositions;
        Pooling pooling = fields.enumValue("pooling", Pooling.class, Pooling.CLS);
        JsonNode outputs = root.path("outputs");
        if (!outputs.isObject()) {
            throw new ModelDirectoryException(file, "needs an \"outputs\" object with \"logits\", \"embedding\" and"
                    + " \"hidden_states\" (each an output name of model.onnx or null)");
        }
        String logits = fields.optionalOutput(outputs, "logits");
        String embedding = fields.optionalOutput(outputs, "embedding");
        String hiddenStates = fields.optionalOutput(outputs, "hidden_states");

        if (windowLength < MIN_WINDOW_LENGTH) {
            throw new ModelDirectoryException(file, "window_length " + windowLength + " is too small: it counts the"
                    + " special tokens, so it must be at least " + MIN_WINDOW_LENGTH);
        }
        if (!scheme.extrapolates() && windowLength > maxPositions) {
            throw new ModelDirectoryException(file, "window_length " + windowLength + " exceeds max_position_embeddings "
                    + maxPositions + " with position_scheme absolute; lower window_length to at most " + maxPositions
                    + " (only rotary or alibi encoders may run longer windows)");
        }
        if (!labels.isEmpty() && logits == null) {
            throw new ModelDirectoryException(file, "has labels but outputs.logits is null; name the logits output of"
                    + " model.onnx, or remove the labels for an embedding-only encoder");
        }
        if (labels.isEmpty() && logits != null) {
            throw new ModelDirectoryException(file, "names outputs.logits \"" + logits + "\" but has no labels; add"
                    + " {\"0\": \"negative\", \"1\": \"neutral\", \"2\": \"positive\"} in the model's index order");
        }
        if (embedding == null && hiddenStates == null) {
            throw new ModelDirectoryException(file, "needs outputs.embedding or outputs.hidden_states: the runtime"
                    + " returns a pooled embedding for every text");
        }
        return new ModelConfig(name, version, labels, maxPositions, scheme, windowLength, pooling, logits, embedding,
                hiddenStates);
    }

    /** Field readers that report the field and the file on every problem. */
    private record Fields(Path file, JsonNode root) {

        String requiredText(String field) {
            JsonNode node = root.get(field);
            if (node == null || !node.isTextual() || node.asText().isBlank()) {
                throw new ModelDirectoryException(file, "needs a non-empty string \"" + field + "\"");
            }
            return node.asText();
        }

        int requiredPositiveInt(String field) {
            JsonNode node = root.get(field);
            if (node == null || !node.canConvertToInt() || !node.isIntegralNumber() || node.asInt() <= 0) {
                throw new ModelDirectoryException(file, "needs a positive integer \"" + field + "\", found "
                        + (node == null ? "nothing" : node.toString()));
            }
            return node.asInt();
        }

        <E extends Enum<E>> E enumValue(String field, Class<E> type, E fallback) {
            JsonNode node = root.get(field);
            if (node == null || node.isNull()) {
                return fallback;
            }
            List<String> allowed = Arrays.stream(type.getEnumConstants())
                    .map(e -> e.name().toLowerCase(Locale.ROOT)).toList();
            if (node.isTextual() && allowed.contains(node.asText())) {
                return Enum.valueOf(type, node.asText().toUpperCase(Locale.ROOT));
            }
            throw new ModelDirectoryException(file, "\"" + field + "\" must be one of " + allowed + ", found " + node);
        }

        String optionalOutput(JsonNode outputs, String field) {
            JsonNode node = outputs.get(field);
            if (node == null || node.isNull()) {
                return null;
            }
            if (!node.isTextual() || node.asText().isBlank()) {
                throw new ModelDirectoryException(file, "outputs." + field + " must be an output name of model.onnx"
                        + " or null, found " + node);
            }
            return node.asText();
        }

        List<String> labels() {
            JsonNode node = root.get("labels");
            if (node == null || node.isNull() || (node.isObject() && node.isEmpty())) {
                return List.of();
            }
            if (!node.isObject()) {
                throw new ModelDirectoryException(file, "\"labels\" must map output indices to labels, e.g."
                        + " {\"0\": \"negative\", \"1\": \"neutral\", \"2\": \"positive\"}");
            }
            String[] byIndex = new String[node.size()];
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> entry = it.next();
                int index;
                try {
                    index = Integer.parseInt(entry.getKey());
                } catch (NumberFormatException e) {
                    index = -1;
                }
                if (index < 0 || index >= byIndex.length || byIndex[index] != null) {
                    throw new ModelDirectoryException(file, "\"labels\" keys must be the output indices 0.."
                            + (byIndex.length - 1) + " once each; found \"" + entry.getKey() + "\"");
                }
                byIndex[index] = entry.getValue().asText();
            }
            List<String> labels = new ArrayList<>(Arrays.asList(byIndex));
            if (!Set.copyOf(labels).equals(SENTIMENT_LABELS) || labels.size() != SENTIMENT_LABELS.size()) {
                throw new ModelDirectoryException(file, "\"labels\" must be exactly negative, neutral and positive"
                        + " (in the model's index order), found " + labels);
            }
            return labels;
        }
    }
}
