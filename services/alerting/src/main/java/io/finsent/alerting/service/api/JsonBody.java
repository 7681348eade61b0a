package io.finsent.alerting.service.api;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * A request body: one JSON object with only the named fields, read strictly (duplicate keys, trailing data,
 * unknown fields and wrong types are refused with the field named).
 */
public final class JsonBody {

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final JsonNode node;

    private JsonBody(JsonNode node) {
        this.node = node;
    }

    /** Parses {@code body}: at most {@code maxBytes}, a JSON object whose fields are all in {@code allowed}. */
    public static JsonBody parse(byte[] body, int maxBytes, Set<String> allowed) {
        if (body == null || body.length == 0) {
            throw ApiException.badRequest("empty body: send a JSON object");
        }
        if (body.length > maxBytes) {
            throw new ApiException(Response.Status.REQUEST_ENTITY_TOO_LARGE,
                    "a body of " + body.length + " bytes, more than the limit of " + maxBytes);
        }
        JsonNode node;
        try {
            node = JSON.readTree(body);
        } catch (JacksonException e) {
            throw ApiException.badRequest("the body is not valid JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw ApiException.badRequest("could not read the body: " + e.getMessage());
        }
        if (node == null || !node.isObject()) {
            throw ApiException.badRequest("the body must be a JSON object");
        }
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!allowed.contains(name)) {
                throw ApiException.badRequest("unknown field '" + name + "'; allowed: " + new TreeSet<>(allowed));
            }
        }
        return new JsonBody(node);
    }

    public boolean has(String field) {
        return node.has(field) && !node.get(field).isNull();
    }

    public Optional<String> text(String field) {
        if (!has(field)) {
            return Optional.empty();
        }
        JsonNode v = node.get(field);
        if (!v.isTextual()) {
            throw ApiException.badRequest("field '" + field + "' must be a string");
        }
        return Optional.of(v.asText());
    }

    public String requiredText(String field) {
        String v = text(field).orElseThrow(() -> ApiException.badRequest("field '" + field + "' is required"));
        if (v.isBlank()) {
            throw ApiException.badRequest("field '" + field + "' must not be empty");
        }
        return v.strip();
    }

    public Optional<Boolean> bool(String field) {
        if (!has(field)) {
            return Optional.empty();
        }
        JsonNode v = node.get(field);
        if (!v.isBoolean()) {
            throw ApiException.badRequest("field '" + field + "' must be true or false");
        }
        return Optional.of(v.booleanValue());
    }

    public Optional<Double> number(String field) {
        if (!has(field)) {
            return Optional.empty();
        }
        JsonNode v = node.get(field);
        if (!v.isNumber()) {
            throw ApiException.badRequest("field '" + field + "' must be a number");
        }
        return Optional.of(v.doubleValue());
    }

    public Optional<JsonNode> object(String field) {
        if (!has(field)) {
            return Optional.empty();
        }
        JsonNode v = node.get(field);
        if (!v.isObject()) {
            throw ApiException.badRequest("field '" + field + "' must be a JSON object");
        }
        return Optional.of(v);
    }

    public List<String> strings(String field) {
        if (!has(field)) {
            return List.of();
        }
        JsonNode v = node.get(field);
        if (!v.isArray()) {
            throw ApiException.badRequest("field '" + field + "' must be an array of strings");
        }
        List<String> values = new ArrayList<>();
        for (JsonNode item : v) {
            if (!item.isTextual() || item.asText().isBlank()) {
                throw ApiException.badRequest("field '" + field + "' must hold non-empty strings only");
            }
            values.add(item.asText().strip());
        }
        return values;
    }

    public Optional<Instant> instant(String field) {
        return text(field).map(v -> parseInstant(field, v));
    }

    /** An ISO-8601 instant with a zone, e.g. 2025-01-31T09:00:00Z. */
    public static Instant parseInstant(String field, String value) {
        try {
            return java.time.OffsetDateTime.parse(value.strip()).toInstant();
        } catch (DateTimeParseException e) {
            throw ApiException.badRequest("'" + field + "' is not an ISO-8601 time with a zone (e.g. 2025-01-31T09:00:00Z): " + value);
        }
    }
}
