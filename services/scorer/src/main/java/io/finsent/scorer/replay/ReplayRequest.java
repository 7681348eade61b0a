package io.finsent.scorer.replay;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.Set;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.finsent.replay.ReplayOptions;

/**
 * The body of {@code POST /v1/replays}: {@code {"run_id": ..., "from": ISO, "to": ISO, "threads": N, "max_batch": N,
 * "grace": ISO duration}}, the last three optional. Parsed by hand rather than bound, so that an unknown field, a
 * missing one or a value of the wrong type is refused with its name instead of ignored or answered with a generic 400.
 * The source is always the raw topic read by timestamp: archive files on the server are an operator's concern
 * ({@code ./monitor replay --file}).
 *
 * @param grace null for the replay's default (the whole range plus a window)
 */
public record ReplayRequest(String runId, Instant from, Instant to, int threads, int maxBatch, Duration grace) {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> FIELDS = Set.of("run_id", "from", "to", "threads", "max_batch", "grace");

    /** @throws IllegalArgumentException with the reason, for the 400 answer */
    public static ReplayRequest parse(String body) {
        JsonNode root;
        try {
            root = body == null || body.isBlank() ? null : JSON.readTree(body);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("the body is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("the body must be a JSON object: {\"run_id\": \"q3-check\", \"from\": \"2015-01-01T00:00:00Z\","
                    + " \"to\": \"2015-01-02T00:00:00Z\"}, optionally \"threads\", \"max_batch\", \"grace\"");
        }
        for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw new IllegalArgumentException("unknown field '" + name + "'; the fields are " + String.join(", ", FIELDS.stream().sorted().toList())
                        + " (archive files are not replayed over the API: use ./monitor replay --file on the server)");
            }
        }
        return new ReplayRequest(text(root, "run_id"), ReplayOptions.instant("from", text(root, "from")),
                ReplayOptions.instant("to", text(root, "to")), integer(root, "threads", 1), integer(root, "max_batch", 256), grace(root));
    }

    private static String text(JsonNode root, String field) {
        JsonNode value = root.get(field);
        if (value == null || value.isNull()) {
            throw new IllegalArgumentException("'" + field + "' is required");
        }
        if (!value.isTextual()) {
            throw new IllegalArgumentException("'" + field + "' must be a string, was " + value);
        }
        return value.asText();
    }

    private static int integer(JsonNode root, String field, int fallback) {
        JsonNode value = root.get(field);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt()) {
            throw new IllegalArgumentException("'" + field + "' must be a whole number, was " + value);
        }
        return value.intValue();
    }

    private static Duration grace(JsonNode root) {
        if (root.get("grace") == null || root.get("grace").isNull()) {
            return null;
        }
        String text = text(root, "grace");
        try {
            return Duration.parse(text);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("'grace' '" + text + "' is not an ISO-8601 duration, e.g. PT10M");
        }
    }
}
