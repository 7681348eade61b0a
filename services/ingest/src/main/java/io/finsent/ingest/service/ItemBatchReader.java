package io.finsent.ingest.service;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;

import io.finsent.ingest.FieldError;
import io.finsent.service.api.ApiProblem;
import io.finsent.service.api.JsonRequests;

/**
 * Reads a push body (one JSON object or an array of them) into item trees, its shape checked on a streaming pass
 * before any tree is built: at most {@code maxItems} items (413), nesting at most {@value #MAX_DEPTH} deep, at most
 * {@code maxMembers} values in any array or fields in any object of an item (its tickers), duplicate keys and data
 * after the value refused. A body of half a million tickers is thus refused with one error, read at the cost of a
 * scan, instead of becoming half a million nodes and as many errors. Jackson's {@link StreamReadConstraints} bound
 * what the scan does not: names, numbers (a 1,000-digit number costs a quadratic parse) and strings.
 */
final class ItemBatchReader {

    /** An item is a flat object with one array; its unknown fields may nest a little, not more. */
    static final int MAX_DEPTH = 16;
    static final int MAX_NAME_CHARS = 256;
    static final int MAX_NUMBER_CHARS = 32;
    /** Twice the longest text an item may have, so a field over that limit is refused by validation, with its name. */
    static final int MAX_STRING_CHARS = 200_000;

    /** The items of a body, or the items whose shape is refused (then none is read further). */
    record Batch(int size, List<JsonNode> items, List<ItemsResource.InvalidItem> misshapen) {
    }

    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_DEPTH + 1) // the scan's own check, with a clearer message, comes first
                    .maxNameLength(MAX_NAME_CHARS)
                    .maxNumberLength(MAX_NUMBER_CHARS)
                    .maxStringLength(MAX_STRING_CHARS)
                    .build())
            .build();

    private final int maxItems;
    private final int maxMembers;

    ItemBatchReader(int maxItems, int maxMembers) {
        this.maxItems = maxItems;
        this.maxMembers = maxMembers;
    }

    Batch read(String body) {
        List<ItemsResource.InvalidItem> misshapen = new ArrayList<>();
        int size = 0;
        boolean batch;
        try (JsonParser p = JSON.createParser(body)) {
            try {
                JsonToken first = p.nextToken();
                if (first == null) {
                    throw ApiProblem.badRequest("empty body: send a JSON object or an array of objects");
                }
                batch = first == JsonToken.START_ARRAY;
                if (batch) {
                    for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                        scan(p, t, size++, true, misshapen);
                    }
                } else {
                    scan(p, first, size++, false, misshapen);
                }
                if (p.nextToken() != null) {
                    throw ApiProblem.badRequest("the body is not valid JSON: more data after its JSON value" + where(p));
                }
            } catch (JacksonException e) {
                throw refusal(e, p);
            }
        } catch (IOException e) {
            throw ApiProblem.badRequest("could not read the request body: " + e.getMessage());
        }
        if (size > maxItems) {
            throw ApiProblem.tooLarge("a batch of " + size + " items, more than the limit of " + maxItems + "; split it");
        }
        if (batch && size == 0) {
            throw ApiProblem.badRequest("empty batch: send at least one item");
        }
        if (!misshapen.isEmpty()) {
            return new Batch(size, List.of(), misshapen);
        }
        return new Batch(size, tree(body), List.of());
    }

    /** One item's value: counts the members of its containers and their depth, builds nothing. */
    private void scan(JsonParser p, JsonToken first, int index, boolean batch, List<ItemsResource.InvalidItem> misshapen) throws IOException {
        if (!first.isStructStart()) {
            return;
        }
        Deque<int[]> members = new ArrayDeque<>();
        Deque<String> fields = new ArrayDeque<>();
        members.push(new int[1]);
        fields.push(fieldName(p.getParsingContext(), batch));
        FieldError error = null;
        while (!members.isEmpty()) {
            JsonToken t = p.nextToken();
            if (t == JsonToken.END_ARRAY || t == JsonToken.END_OBJECT) {
                int count = members.pop()[0];
                String field = fields.pop();
                if (count > maxMembers && error == null) {
                    error = new FieldError(field, count + (t == JsonToken.END_ARRAY ? " values" : " fields") + ", more than the limit of " + maxMembers);
                }
                continue;
            }
            if (t == JsonToken.FIELD_NAME) {
                members.peek()[0]++;
                continue;
            }
            JsonStreamContext container = t.isStructStart() ? p.getParsingContext().getParent() : p.getParsingContext();
            if (container.inArray()) {
                members.peek()[0]++;
            }
            if (t.isStructStart()) {
                if (p.getParsingContext().getNestingDepth() > MAX_DEPTH) {
                    throw ApiProblem.badRequest("JSON nesting depth over " + MAX_DEPTH + where(p) + ": an item is a flat JSON object");
                }
                members.push(new int[1]);
                fields.push(fieldName(p.getParsingContext(), batch));
            }
        }
        if (error != null) {
            misshapen.add(new ItemsResource.InvalidItem(index, List.of(error)));
        }
    }

    private static List<JsonNode> tree(String body) {
        try (JsonParser p = JSON.createParser(body)) {
            try {
                JsonNode root = JsonRequests.strict().readTree(p);
                List<JsonNode> items = new ArrayList<>();
                if (root.isArray()) {
                    root.forEach(items::add);
                } else {
                    items.add(root);
                }
                return items;
            } catch (JacksonException e) {
                throw refusal(e, p);
            }
        } catch (IOException e) {
            throw ApiProblem.badRequest("could not read the request body: " + e.getMessage());
        }
    }

    private static RuntimeException refusal(JacksonException e, JsonParser p) {
        String message = e.getOriginalMessage().replaceAll(", from `[^`]*`", "");
        message = message.length() <= 300 ? message : message.substring(0, 297) + "...";
        if (e instanceof StreamConstraintsException) {
            return ApiProblem.badRequest("the body exceeds a limit of the push API" + where(p) + ": " + message);
        }
        return ApiProblem.badRequest("the body is not valid JSON" + where(p) + ": " + message);
    }

    /** " at /0/tickers (line 1, column 40)", the JSON pointer cut to 120 characters. */
    private static String where(JsonParser p) {
        String pointer = p.getParsingContext().pathAsPointer().toString();
        if (pointer.length() > 120) {
            pointer = pointer.substring(0, 117) + "...";
        }
        var at = p.currentLocation();
        return (pointer.isEmpty() ? "" : " at " + pointer) + " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
    }

    /** A container's field within its item, as validation names fields: {@code tickers}, {@code meta.list[2]}, {@code item}. */
    private static String fieldName(JsonStreamContext context, boolean batch) {
        int itemDepth = batch ? 2 : 1;
        Deque<String> parts = new ArrayDeque<>();
        for (JsonStreamContext c = context; c.getNestingDepth() > itemDepth; c = c.getParent()) {
            JsonStreamContext parent = c.getParent();
            parts.push(parent.inObject() ? "." + parent.getCurrentName() : "[" + parent.getCurrentIndex() + "]");
        }
        String field = String.join("", parts).replaceFirst("^\\.", "");
        if (field.isEmpty()) {
            return "item";
        }
        return field.length() <= 60 ? field : field.substring(0, 57) + "...";
    }
}
