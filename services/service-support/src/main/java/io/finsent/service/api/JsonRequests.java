package io.finsent.service.api;

import java.io.IOException;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Path;
import jakarta.validation.Validator;
import jakarta.validation.constraints.NotNull;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.type.LogicalType;

import io.finsent.common.StorableText;

/**
 * Request bodies of the three services' APIs, read strictly into records and checked with Bean Validation: the one JSON
 * reader of every endpoint. Field names are the records' components in snake_case. Refused with the field named (400):
 * an empty body, one that is not JSON, has duplicate keys or trailing data, is not an object, has an unknown field, or a
 * value of the wrong type (no coercion: {@code "5"} is not a number, {@code 1.5} not a whole number, {@code 1} not a
 * string), nesting deeper than 32, a name over 256 or a number over 32 characters (checked while reading), or a
 * string {@link StorableText} refuses (a control character such as U+0000); a constraint broken is
 * {@code field 'x' <constraint message>}. Too large a body is 413.
 */
@ApplicationScoped
public class JsonRequests {

    static final int MAX_DEPTH = 32;
    static final int MAX_NAME_CHARS = 256;
    static final int MAX_NUMBER_CHARS = 32;
    private static final ObjectMapper STRICT = strictMapper();

    private final Validator validator;

    public JsonRequests(Validator validator) {
        this.validator = validator;
    }

    /** The strict mapper, for bodies with rules of their own ({@code POST /v1/items}: ingest's ItemBatchReader). */
    public static ObjectMapper strict() {
        return STRICT;
    }

    /** {@code body} as a {@code type}, at most {@code maxBytes}, every constraint of the record checked. */
    public <T> T read(byte[] body, int maxBytes, Class<T> type) {
        if (body == null || body.length == 0) {
            throw ApiProblem.badRequest("empty body: the body must be a JSON object");
        }
        if (body.length > maxBytes) {
            throw ApiProblem.tooLarge("a body of " + body.length + " bytes, more than the limit of " + maxBytes);
        }
        String text = Utf8Body.decode(body);
        refuseUnstorable(text);
        T value = bind(text, type);
        Set<ConstraintViolation<T>> violations = validator.validate(value);
        if (!violations.isEmpty()) {
            throw ApiProblem.badRequest(describe(violations));
        }
        return value;
    }

    /**
     * Refuses the first string or field name of {@code body} that {@link StorableText} refuses, naming where it
     * is (e.g. {@code field 'rule_params.comment'}); a body that is not JSON is left for binding to report.
     */
    private static void refuseUnstorable(String body) {
        try (JsonParser parser = STRICT.getFactory().createParser(body)) {
            for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
                if (token == JsonToken.VALUE_STRING || token == JsonToken.FIELD_NAME) {
                    String where;
                    if (token == JsonToken.FIELD_NAME) {
                        String parent = path(parser.getParsingContext().getParent());
                        where = "a field name" + (parent.isEmpty() ? "" : " in '" + parent + "'");
                    } else {
                        where = "field '" + path(parser.getParsingContext()) + "'";
                    }
                    StorableValues.require(where, parser.getText());
                }
            }
        } catch (IOException e) {
            // not JSON: bind() says why
        }
    }

    /** A streaming parser's place as a field path, e.g. {@code rule_sets[2].name}. */
    private static String path(JsonStreamContext context) {
        StringBuilder path = new StringBuilder();
        for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
            path.insert(0, c.inArray() ? "[" + c.getCurrentIndex() + "]" : (c.getParent().inRoot() ? "" : ".") + c.getCurrentName());
        }
        return path.toString();
    }

    private static <T> T bind(String body, Class<T> type) {
        try {
            T value = STRICT.readValue(body, type);
            if (value == null) {
                throw ApiProblem.badRequest("the body must be a JSON object");
            }
            return value;
        } catch (StreamConstraintsException e) {
            throw overLimit(e);
        } catch (UnrecognizedPropertyException e) {
            Collection<Object> known = e.getKnownPropertyIds() == null ? List.of() : e.getKnownPropertyIds();
            throw ApiProblem.badRequest("unknown field '" + field(e) + "'; allowed: "
                    + new TreeSet<>(known.stream().map(String::valueOf).toList()));
        } catch (MismatchedInputException e) {
            if (e.getPath().isEmpty() && e.getOriginalMessage().startsWith("Trailing token")) {
                // FAIL_ON_TRAILING_TOKENS reports data after the object as a mismatch of the whole body: it is not JSON.
                throw ApiProblem.badRequest("the body is not valid JSON: " + e.getOriginalMessage());
            }
            if (e.getPath().isEmpty()) {
                throw ApiProblem.badRequest("the body must be a JSON object");
            }
            String was = e instanceof InvalidFormatException invalid ? ", was " + json(invalid.getValue()) : "";
            throw ApiProblem.badRequest("field '" + field(e) + "' must be " + kind(e.getTargetType()) + was);
        } catch (JsonParseException e) {
            throw ApiProblem.badRequest("the body is not valid JSON: " + e.getOriginalMessage());
        } catch (JsonMappingException e) {
            if (e.getCause() instanceof StreamConstraintsException limit) {
                throw overLimit(limit); // met inside a tree field (rule_params), wrapped by the tree's deserialiser
            }
            // A record's constructor refused the values: its message says why.
            Throwable cause = e.getCause() instanceof IllegalArgumentException ? e.getCause() : e;
            throw ApiProblem.badRequest(cause instanceof IllegalArgumentException ? cause.getMessage() : e.getOriginalMessage());
        } catch (IOException e) {
            throw ApiProblem.badRequest("could not read the body: " + e.getMessage());
        }
    }

    private static ApiProblem overLimit(StreamConstraintsException e) {
        return ApiProblem.badRequest("the body exceeds a limit of the JSON reader: " + e.getOriginalMessage());
    }

    /** One line per field; where a field breaks several constraints, "is required" says it all. */
    private static <T> String describe(Set<ConstraintViolation<T>> violations) {
        Map<String, ConstraintViolation<T>> byField = violations.stream().collect(Collectors.toMap(
                v -> path(v.getPropertyPath()), v -> v,
                (a, b) -> a.getConstraintDescriptor().getAnnotation() instanceof NotNull ? a : b));
        return byField.entrySet().stream().sorted(Map.Entry.comparingByKey(Comparator.naturalOrder()))
                .map(e -> "field '" + e.getKey() + "' " + e.getValue().getMessage())
                .collect(Collectors.joining("; "));
    }

    private static String path(Path path) {
        StringBuilder name = new StringBuilder();
        for (Path.Node node : path) {
            if (node.getName() == null || node.getName().startsWith("<")) {
                continue;
            }
            if (!name.isEmpty()) {
                name.append('.');
            }
            name.append(PropertyNamingStrategies.SnakeCaseStrategy.INSTANCE.translate(node.getName()));
        }
        return name.toString();
    }

    private static String field(JsonMappingException e) {
        return e.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
    }

    private static String kind(Class<?> type) {
        if (type == null) {
            return "of another type";
        }
        if (type == String.class) {
            return "a string";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "a whole number";
        }
        if (Number.class.isAssignableFrom(type) || type == double.class || type == float.class) {
            return "a number";
        }
        if (Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "an array";
        }
        if (type == ObjectNode.class || Map.class.isAssignableFrom(type) || type.isRecord()) {
            return "a JSON object";
        }
        return "a " + type.getSimpleName();
    }

    private static String json(Object value) {
        return value instanceof String s ? "\"" + s + "\"" : String.valueOf(value);
    }

    private static ObjectMapper strictMapper() {
        // Limits enforced while reading, before anything is bound: request records are flat, a rule set nests a
        // little, and no name or number of theirs is long (a 1,000-digit number costs a quadratic parse).
        JsonFactory limited = JsonFactory.builder().streamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(MAX_DEPTH).maxNameLength(MAX_NAME_CHARS).maxNumberLength(MAX_NUMBER_CHARS).build()).build();
        JsonMapper mapper = JsonMapper.builder(limited)
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .build();
        // Scalars of the wrong kind are refused rather than converted (strings to numbers already are, with coercion off).
        for (CoercionInputShape shape : new CoercionInputShape[] {CoercionInputShape.Integer, CoercionInputShape.Float, CoercionInputShape.Boolean}) {
            mapper.coercionConfigFor(LogicalType.Textual).setCoercion(shape, CoercionAction.Fail);
        }
        mapper.coercionConfigFor(LogicalType.Boolean).setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
        return mapper;
    }
}
