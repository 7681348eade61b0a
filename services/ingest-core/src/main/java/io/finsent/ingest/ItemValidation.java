package io.finsent.ingest;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;

import io.finsent.schema.RawText;
import io.finsent.schema.SourceKind;

/**
 * Checks an input item field by field and turns a valid one into the {@link RawText} published on
 * {@code text.raw}: normalised text ({@link ItemNormaliser}), tickers, a language tag and a stable id
 * ({@link ItemIds}). An invalid item yields every field error at once, so a sender can fix them all in
 * one go. The same rules serve the push API, the archive import and the feeds.
 *
 * <p>JSON items (push API, archive rows) have the fields {@code id, source, published_at, title} (or
 * {@code headline}), {@code body} (or {@code text}), {@code url, tickers, author, language}; unknown
 * fields are ignored. An item with only a headline keeps it as its body (the text that is scored).
 */
public final class ItemValidation {

    /** Limits of the checks; {@link #defaults(Clock)} suits every source. */
    public record Rules(int maxTextChars, int maxFieldChars, int maxTickers, Duration maxFutureSkew, Clock clock) {

        /**
         * 100,000 characters of text per field, 2,048 for the short fields, 64 tickers, and publication
         * times at most 1 hour ahead of our clock (Kafka 4 brokers reject record timestamps further ahead
         * by default: {@code log.message.timestamp.after.max.ms}).
         */
        public static Rules defaults(Clock clock) {
            return new Rules(100_000, 2048, 64, Duration.ofHours(1), clock);
        }
    }

    /** The outcome: a record to publish, or the reasons it cannot be. */
    public sealed interface Result permits Valid, Invalid {
    }

    public record Valid(RawText item) implements Result {
    }

    public record Invalid(List<FieldError> errors) implements Result {

        /** All errors in one line, e.g. for a dead letter's reason. */
        public String reason() {
            return errors.stream().map(FieldError::toString).collect(Collectors.joining("; "));
        }
    }

    private final Rules rules;

    public ItemValidation(Rules rules) {
        this.rules = rules;
    }

    public Rules rules() {
        return rules;
    }

    /**
     * A JSON item. {@code namespace}, when given, is prefixed to the item's own source (push clients:
     * {@code client/source}), so one client can never collide with another's ids; without a namespace
     * the item must name its source.
     */
    public Result fromJson(JsonNode node, SourceKind kind, String namespace) {
        List<FieldError> errors = new ArrayList<>();
        if (node == null || !node.isObject()) {
            errors.add(new FieldError("item", "must be a JSON object, got " + describe(node)));
            return new Invalid(errors);
        }
        String id = text(node, "id", errors);
        String declaredSource = text(node, "source", errors);
        String source;
        if (namespace == null) {
            source = declaredSource;
        } else {
            source = declaredSource == null || declaredSource.isBlank() ? namespace : namespace + "/" + declaredSource;
        }
        Instant publishedAt = timestamp(node, "published_at", errors);
        String title = firstText(node, errors, "title", "headline");
        String body = firstText(node, errors, "body", "text");
        String url = text(node, "url", errors);
        List<String> tickers = tickers(node, errors);
        String author = text(node, "author", errors);
        String language = text(node, "language", errors);
        if (!node.has("published_at") || node.get("published_at").isNull()) {
            errors.add(new FieldError("published_at", "required: the publication time, ISO-8601 with a zone, e.g. 2015-03-22T17:56:04Z"));
        }
        if (source == null) {
            errors.add(new FieldError("source", "required: the feed, account or publisher the item came from"));
        }
        if (!errors.isEmpty()) {
            // Report the type errors now; the semantic checks would only repeat them.
            List<FieldError> more = new ArrayList<>(errors);
            return new Invalid(more);
        }
        Result result = check(new IncomingItem(kind, source, id, url, publishedAt, title, body, tickers, author, language));
        if (result instanceof Invalid invalid) {
            // Name fields as the sender wrote them: a news_stream row has a headline, not a title.
            String titleName = node.has("title") || !node.has("headline") ? "title" : "headline";
            String bodyName = node.has("body") || !node.has("text") ? "body" : "text";
            return new Invalid(invalid.errors().stream()
                    .map(e -> e.field().equals("title") ? new FieldError(titleName, e.message())
                            : e.field().equals("body") && !e.message().startsWith("no text") ? new FieldError(bodyName, e.message()) : e)
                    .toList());
        }
        return result;
    }

    /** An item a source gave us, checked and normalised. */
    public Result check(IncomingItem in) {
        List<FieldError> errors = new ArrayList<>();
        String source = shortField("source", in.source(), errors);
        if (source != null && source.isEmpty()) {
            errors.add(new FieldError("source", "must not be blank"));
        }
        String nativeId = shortField("id", in.nativeId(), errors);
        if (nativeId != null && nativeId.isEmpty()) {
            nativeId = null;
        }
        Instant publishedAt = in.publishedAt();
        if (publishedAt == null) {
            errors.add(new FieldError("published_at", "required: the publication time, ISO-8601 with a zone, e.g. 2015-03-22T17:56:04Z"));
        } else if (publishedAt.toEpochMilli() < 0) {
            errors.add(new FieldError("published_at", publishedAt + " is before 1970-01-01T00:00:00Z"));
        } else if (publishedAt.isAfter(rules.clock().instant().plus(rules.maxFutureSkew()))) {
            errors.add(new FieldError("published_at", publishedAt + " is more than " + rules.maxFutureSkew().toMinutes()
                    + " minutes in the future; send the real publication time in UTC or with its offset"));
        }
        String title = longField("title", in.title(), errors);
        String body = longField("body", in.body(), errors);
        String url = shortField("url", in.url(), errors);
        if (url != null && !url.isEmpty()) {
            checkUrl(url, errors);
        } else {
            url = null;
        }
        String author = shortField("author", in.author(), errors);
        if (author != null && author.isEmpty()) {
            author = null;
        }
        List<String> sourceTickers = new ArrayList<>();
        if (in.tickers().size() > rules.maxTickers()) {
            errors.add(new FieldError("tickers", in.tickers().size() + " tickers, more than the limit of " + rules.maxTickers()));
        } else {
            for (int i = 0; i < in.tickers().size(); i++) {
                String raw = in.tickers().get(i);
                String ticker = ItemNormaliser.ticker(raw);
                if (ticker == null) {
                    errors.add(new FieldError("tickers[" + i + "]", "'" + abbreviate(raw) + "' is not a ticker (letters, digits, '.' or '-', at most 12)"));
                } else if (!sourceTickers.contains(ticker)) {
                    sourceTickers.add(ticker);
                }
            }
        }
        String language = null;
        if (in.language() != null && !in.language().isBlank()) {
            language = languageTag(in.language(), errors);
        }
        if (title != null && title.isEmpty()) {
            title = null;
        }
        if (body == null || body.isEmpty()) {
            if (title == null) {
                if (!hasError(errors, "title") && !hasError(errors, "body")) {
                    errors.add(new FieldError("body", "no text: title and body are missing or empty after removing HTML and whitespace"));
                }
            } else {
                body = title;
                title = null;
            }
        }
        if (!errors.isEmpty()) {
            return new Invalid(errors);
        }
        if (language == null) {
            language = LanguageTagger.guess(title == null ? body : title + " " + body);
        }
        String id = nativeId != null ? ItemIds.ofNativeId(source, nativeId) : ItemIds.ofContent(source, publishedAt, url, title, body);
        RawText item = RawText.newBuilder()
                .setId(id)
                .setSourceKind(in.kind() == null ? SourceKind.UNKNOWN : in.kind())
                .setSource(source)
                .setUrl(url)
                .setPublishedAt(Instant.ofEpochMilli(publishedAt.toEpochMilli()))
                .setIngestedAt(Instant.ofEpochMilli(rules.clock().millis()))
                .setTitle(title)
                .setBody(body)
                .setTickers(ItemNormaliser.tickers(sourceTickers, title, body))
                .setAuthor(author)
                .setLanguage(language)
                .build();
        return new Valid(item);
    }

    private String shortField(String field, String value, List<FieldError> errors) {
        if (value == null) {
            return null;
        }
        if (!wellFormed(field, value, errors)) {
            return null;
        }
        if (value.length() > rules.maxFieldChars()) {
            errors.add(new FieldError(field, value.length() + " characters, more than the limit of " + rules.maxFieldChars()));
            return null;
        }
        return ItemNormaliser.toPlainText(value);
    }

    private String longField(String field, String value, List<FieldError> errors) {
        if (value == null) {
            return null;
        }
        if (!wellFormed(field, value, errors)) {
            return null;
        }
        if (value.length() > rules.maxTextChars()) {
            errors.add(new FieldError(field, value.length() + " characters, more than the limit of " + rules.maxTextChars()));
            return null;
        }
        return ItemNormaliser.toPlainText(value);
    }

    /** Java strings can hold what no UTF-8 text can (a lone surrogate from a JSON {@code "\ud800"} escape). */
    private static boolean wellFormed(String field, String value, List<FieldError> errors) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                    i++;
                    continue;
                }
                errors.add(new FieldError(field, String.format(Locale.ROOT, "unpaired UTF-16 surrogate U+%04X at index %d: not valid Unicode text", (int) c, i)));
                return false;
            }
            if (Character.isLowSurrogate(c)) {
                errors.add(new FieldError(field, String.format(Locale.ROOT, "unpaired UTF-16 surrogate U+%04X at index %d: not valid Unicode text", (int) c, i)));
                return false;
            }
        }
        return true;
    }

    private static void checkUrl(String url, List<FieldError> errors) {
        try {
            URI uri = new URI(url);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
                errors.add(new FieldError("url", "'" + abbreviate(url) + "' is not an absolute http or https URL"));
            }
        } catch (URISyntaxException e) {
            errors.add(new FieldError("url", "'" + abbreviate(url) + "' is not a URL: " + e.getReason()));
        }
    }

    private static String languageTag(String raw, List<FieldError> errors) {
        String candidate = raw.strip().replace('_', '-');
        Locale locale = Locale.forLanguageTag(candidate);
        String tag = locale.toLanguageTag();
        if (locale.getLanguage().isEmpty() || tag.equals("und") || !tag.equalsIgnoreCase(candidate)) {
            errors.add(new FieldError("language", "'" + abbreviate(raw) + "' is not a BCP 47 language tag such as en or pt-BR"));
            return null;
        }
        return tag;
    }

    private static boolean hasError(List<FieldError> errors, String field) {
        return errors.stream().anyMatch(e -> e.field().equals(field));
    }

    // --- JSON field access: type errors are field errors, never exceptions ---

    private static String text(JsonNode node, String field, List<FieldError> errors) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (value.isTextual()) {
            return value.textValue();
        }
        if (field.equals("id") && value.isIntegralNumber()) {
            return value.asText();
        }
        errors.add(new FieldError(field, "must be a string, got " + describe(value)));
        return null;
    }

    private static String firstText(JsonNode node, List<FieldError> errors, String field, String alias) {
        String value = text(node, field, errors);
        return value != null ? value : text(node, alias, errors);
    }

    private static Instant timestamp(JsonNode node, String field, List<FieldError> errors) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (value.isIntegralNumber()) {
            if (!value.canConvertToLong()) {
                errors.add(new FieldError(field, "epoch milliseconds out of range: " + abbreviate(value.asText())));
                return null;
            }
            return Instant.ofEpochMilli(value.longValue());
        }
        if (!value.isTextual()) {
            errors.add(new FieldError(field, "must be an ISO-8601 time with a zone (e.g. 2015-03-22T17:56:04Z) or epoch milliseconds, got "
                    + describe(value)));
            return null;
        }
        return parseTime(field, value.textValue(), errors);
    }

    /** ISO-8601 with a zone ({@code Z} or an offset); a time without one is refused, not guessed. */
    public static Instant parseTime(String field, String text, List<FieldError> errors) {
        String s = text.strip();
        try {
            return OffsetDateTime.parse(s, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            try {
                LocalDateTime.parse(s, DateTimeFormatter.ISO_LOCAL_DATE_TIME);
                errors.add(new FieldError(field, "'" + abbreviate(s) + "' has no time zone; add Z for UTC or an offset such as +01:00"));
            } catch (DateTimeException notLocal) {
                errors.add(new FieldError(field, "'" + abbreviate(s) + "' is not an ISO-8601 time such as 2015-03-22T17:56:04Z"));
            }
            return null;
        }
    }

    private static List<String> tickers(JsonNode node, List<FieldError> errors) {
        JsonNode value = node.get("tickers");
        List<String> tickers = new ArrayList<>();
        if (value == null || value.isNull()) {
            return tickers;
        }
        if (value.isTextual()) {
            // CSV cells and lax clients: "AAPL;MSFT", "AAPL, MSFT", "[AAPL MSFT]".
            for (String part : value.textValue().replaceAll("^\\s*\\[|]\\s*$", "").split("[;,\\s|]+")) {
                String p = part.strip().replaceAll("^[\"']|[\"']$", "");
                if (!p.isEmpty()) {
                    tickers.add(p);
                }
            }
            return tickers;
        }
        if (!value.isArray()) {
            errors.add(new FieldError("tickers", "must be an array of strings such as [\"AAPL\"], got " + describe(value)));
            return tickers;
        }
        for (int i = 0; i < value.size(); i++) {
            JsonNode t = value.get(i);
            if (!t.isTextual()) {
                errors.add(new FieldError("tickers[" + i + "]", "must be a string, got " + describe(t)));
            } else {
                tickers.add(t.textValue());
            }
        }
        return tickers;
    }

    private static String describe(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "nothing";
        }
        return node.getNodeType().name().toLowerCase(Locale.ROOT);
    }

    /** At most 60 characters of a value for a message, lone surrogates shown as U+FFFD so the message is valid text. */
    static String abbreviate(String s) {
        if (s == null) {
            return "null";
        }
        String cut = s.length() <= 60 ? s : s.substring(0, 57) + "...";
        StringBuilder out = new StringBuilder(cut.length());
        for (int i = 0; i < cut.length(); i++) {
            char c = cut.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < cut.length() && Character.isLowSurrogate(cut.charAt(i + 1))) {
                out.append(c).append(cut.charAt(++i));
            } else {
                out.append(Character.isSurrogate(c) ? '\uFFFD' : c);
            }
        }
        return out.toString();
    }
}
