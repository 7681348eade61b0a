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

import io.finsent.common.StorableText;
import io.finsent.common.StorableTime;
import io.finsent.schema.RawText;
import io.finsent.schema.SourceKind;

/**
 * Checks an input item field by field and turns a valid one into the {@link RawText} published on
 * {@code text.raw}: normalised text ({@link ItemNormaliser}), tickers, a language tag and a stable id
 * ({@link ItemIds}). An invalid item yields every field error at once, so a sender can fix them all in
 * one go, at most {@value FieldErrors#PER_FIELD} per field ({@link FieldErrors}). The same rules serve the push API,
 * the archive import and the feeds.
 *
 * <p>JSON items (push API, archive rows) have the fields {@code id, source, published_at, title} (or
 * {@code headline}), {@code body} (or {@code text}), {@code url, tickers, author, language}; unknown
 * fields are ignored. An item with only a headline keeps it as its body (the text that is scored).
 *
 * <p>Refused in any string field: unpaired UTF-16 surrogates and control characters other than tab, line feed and
 * carriage return (U+0000 above all: PostgreSQL cannot store it, and the text is stored downstream). Refused as text:
 * a title and body with no visible character ({@link InvisibleText}). Publication times must lie between 1970 and
 * {@link StorableTime#LATEST} and at most {@link Rules#maxFutureSkew()} ahead of our clock.
 */
public final class ItemValidation {

    /**
     * Limits of the checks; {@link #defaults(Clock)} suits every source.
     *
     * @param strictJson JSON from API clients: {@code published_at} only as an ISO-8601 string and {@code tickers}
     *                   only as an array of strings. Archive rows and CSV cells may also give epoch milliseconds and a
     *                   ticker list in one string ({@code "AAPL;MSFT"}); from a client a number is too often epoch
     *                   seconds (read as milliseconds: 1970) and a string too often a typo ({@code "AA PL"}).
     */
    public record Rules(int maxTextChars, int maxFieldChars, int maxTickers, Duration maxFutureSkew, boolean strictJson, Clock clock) {

        /**
         * 100,000 characters of text per field, 2,048 for the short fields, 64 tickers, and publication
         * times at most 5 minutes ahead of our clock: a text dated ahead moves its partition's event time
         * ahead, so alerting takes the live texts after it for late ones until the real time catches up
         * (Kafka 4 brokers would only refuse timestamps more than an hour ahead:
         * {@code log.message.timestamp.after.max.ms}).
         */
        public static Rules defaults(Clock clock) {
            return new Rules(100_000, 2048, 64, Duration.ofMinutes(5), false, clock);
        }

        public Rules withMaxFutureSkew(Duration skew) {
            if (skew.isNegative()) {
                throw new IllegalArgumentException("the future skew must not be negative, got " + skew);
            }
            return new Rules(maxTextChars, maxFieldChars, maxTickers, skew, strictJson, clock);
        }

        /** The rules for JSON sent by API clients (see {@code strictJson}). */
        public Rules withStrictJson() {
            return new Rules(maxTextChars, maxFieldChars, maxTickers, maxFutureSkew, true, clock);
        }
    }

    /** The outcome: a record to publish, or the reasons it cannot be. */
    public sealed interface Result permits Valid, Invalid {
    }

    public record Valid(RawText item) implements Result {
    }

    public record Invalid(List<FieldError> errors) implements Result {

        public Invalid {
            errors = FieldErrors.bounded(errors);
        }

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
        } else if (publishedAt.isBefore(StorableTime.EARLIEST)) {
            errors.add(new FieldError("published_at", publishedAt + " is before " + StorableTime.EARLIEST));
        } else if (publishedAt.isAfter(StorableTime.LATEST)) {
            errors.add(new FieldError("published_at", publishedAt + " is after " + StorableTime.LATEST + ", out of range (and in the future)"));
        } else if (publishedAt.isAfter(rules.clock().instant().plus(rules.maxFutureSkew()))) {
            errors.add(new FieldError("published_at", publishedAt + " is more than " + words(rules.maxFutureSkew())
                    + " in the future; send the real publication time in UTC or with its offset"));
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
                    errors.add(new FieldError("tickers[" + i + "]", "'" + abbreviate(raw)
                            + "' is not a ticker (A-Z or 0-9, then A-Z, 0-9, '.' or '-', at most 12 in all, any case)"));
                } else if (!sourceTickers.contains(ticker)) {
                    sourceTickers.add(ticker);
                }
            }
        }
        String language = null;
        if (in.language() != null && !in.language().isBlank()) {
            language = languageTag(in.language(), errors);
        }
        // Given but with nothing to see (only zero-width, bidi or tag characters): as good as missing, and said so.
        String invisible = onlyInvisible(in.title(), title) ? "title" : null;
        if (onlyInvisible(in.body(), body)) {
            invisible = "body";
        }
        if (title != null && InvisibleText.isInvisible(title)) {
            title = null;
        }
        if (body != null && InvisibleText.isInvisible(body)) {
            body = null;
        }
        if (body == null) {
            if (title == null) {
                if (!hasError(errors, "title") && !hasError(errors, "body")) {
                    errors.add(invisible != null
                            ? new FieldError(invisible, "text has no visible characters (only whitespace, zero-width, bidi-control or tag characters)")
                            : new FieldError("body", "no text: title and body are missing or empty after removing HTML and whitespace"));
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
        String idSource = in.idSource() != null ? in.idSource() : source;
        String id = nativeId != null ? ItemIds.ofNativeId(idSource, nativeId) : ItemIds.ofContent(idSource, publishedAt, url, title, body);
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
                .setPublishedAtEstimated(in.publishedEstimated())
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

    /** What no text may hold ({@link StorableText}: U+0000 and other control characters, unpaired surrogates). */
    private static boolean wellFormed(String field, String value, List<FieldError> errors) {
        String refusal = StorableText.refusal(value);
        if (refusal != null) {
            errors.add(new FieldError(field, refusal));
        }
        return refusal == null;
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

    /**
     * A text given with characters, none of them visible: zero-width ones kept by normalisation, or ones it removed
     * (U+FEFF) from a value that was not just whitespace or markup.
     */
    private static boolean onlyInvisible(String raw, String plain) {
        if (plain == null) {
            return false;
        }
        return plain.isEmpty() ? !raw.isBlank() && InvisibleText.isInvisible(raw) : InvisibleText.isInvisible(plain);
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

    private Instant timestamp(JsonNode node, String field, List<FieldError> errors) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (rules.strictJson() && !value.isTextual()) {
            errors.add(new FieldError(field, "must be an ISO-8601 string such as 2026-01-02T03:04:05Z, got " + describe(value)
                    + (value.isNumber() ? " (epoch seconds and milliseconds are not read: they are too easily mistaken for each other)" : "")));
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

    private List<String> tickers(JsonNode node, List<FieldError> errors) {
        JsonNode value = node.get("tickers");
        List<String> tickers = new ArrayList<>();
        if (value == null || value.isNull()) {
            return tickers;
        }
        if (value.isTextual() && !rules.strictJson()) {
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
        if (value.size() > rules.maxTickers()) {
            // One error for the array, not one per element: half a million bad elements must not become as many errors.
            errors.add(new FieldError("tickers", value.size() + " tickers, more than the limit of " + rules.maxTickers()));
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

    /** "5 minutes", "1 hour", "90 seconds". */
    static String words(Duration d) {
        long seconds = d.toSeconds();
        if (seconds % 3600 == 0 && seconds > 0) {
            return plural(seconds / 3600, "hour");
        }
        if (seconds % 60 == 0 && seconds > 0) {
            return plural(seconds / 60, "minute");
        }
        return plural(seconds, "second");
    }

    private static String plural(long n, String unit) {
        return n + " " + unit + (n == 1 ? "" : "s");
    }

    /**
     * At most 60 characters of a value for a message, what {@link StorableText} refuses (lone surrogates, control
     * characters) shown as U+FFFD so the message is valid text that any store accepts.
     */
    static String abbreviate(String s) {
        return StorableText.abbreviated(s, 60);
    }
}
