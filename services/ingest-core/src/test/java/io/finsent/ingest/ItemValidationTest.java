package io.finsent.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.finsent.schema.RawText;
import io.finsent.schema.SourceKind;

class ItemValidationTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-01T12:00:00Z"), ZoneOffset.UTC);
    private static final ObjectMapper JSON = new ObjectMapper();
    private final ItemValidation validation = new ItemValidation(ItemValidation.Rules.defaults(CLOCK));

    private ItemValidation.Result validate(String json) throws Exception {
        return validation.fromJson(JSON.readTree(json), SourceKind.ARCHIVE, null);
    }

    private RawText valid(String json) throws Exception {
        ItemValidation.Result result = validate(json);
        assertThat(result).as(json).isInstanceOf(ItemValidation.Valid.class);
        return ((ItemValidation.Valid) result).item();
    }

    @Test
    void aNewsStreamRowBecomesARawTextWithItsTimeTickersAndAStableId() throws Exception {
        RawText item = valid("""
                {"id": "tw-1", "published_at": "2015-03-22T17:56:04Z", "source": "FoolHeadlines", "tickers": ["AAPL"],
                 "headline": "Should Apple Inc. Be Worried? http://t.co/x - $AAPL $msft", "url": "https://twitter.com/FoolHeadlines/status/1"}""");

        assertThat(item.getId()).isEqualTo(ItemIds.ofNativeId("FoolHeadlines", "tw-1"));
        assertThat(item.getSourceKind()).isEqualTo(SourceKind.ARCHIVE);
        assertThat(item.getSource()).isEqualTo("FoolHeadlines");
        assertThat(item.getPublishedAt()).isEqualTo(Instant.parse("2015-03-22T17:56:04Z"));
        assertThat(item.getIngestedAt()).isEqualTo(CLOCK.instant());
        assertThat(item.getTitle()).as("a headline alone is the body").isNull();
        assertThat(item.getBody()).isEqualTo("Should Apple Inc. Be Worried? http://t.co/x - $AAPL $msft");
        assertThat(item.getTickers()).containsExactly("AAPL", "MSFT");
        assertThat(item.getUrl()).isEqualTo("https://twitter.com/FoolHeadlines/status/1");
    }

    @Test
    void titleAndBodyAreBothKeptAndHtmlIsRemoved() throws Exception {
        RawText item = valid("""
                {"source": "wire", "published_at": "2026-01-01T10:00:00+01:00", "title": "<h1>Acme &amp; Co</h1>",
                 "body": "<p>Profit <em>up</em></p>", "language": "en_GB", "author": " Jane "}""");

        assertThat(item.getTitle()).isEqualTo("Acme & Co");
        assertThat(item.getBody()).isEqualTo("Profit up");
        assertThat(item.getPublishedAt()).isEqualTo(Instant.parse("2026-01-01T09:00:00Z"));
        assertThat(item.getLanguage()).isEqualTo("en-GB");
        assertThat(item.getAuthor()).isEqualTo("Jane");
        assertThat(item.getId()).startsWith("c-").isEqualTo(ItemIds.ofContent("wire", item.getPublishedAt(), null, "Acme & Co", "Profit up"));
    }

    @Test
    void epochMillisAndCommaSeparatedTickersAreAccepted() throws Exception {
        RawText item = valid("""
                {"source": "csv", "published_at": 1420081220000, "text": "calm day", "tickers": "aapl; MSFT"}""");

        assertThat(item.getPublishedAt()).isEqualTo(Instant.ofEpochMilli(1420081220000L));
        assertThat(item.getTickers()).containsExactly("AAPL", "MSFT");
    }

    @Test
    void aPushClientsNamespacePrefixesTheSourceSoClientsCannotCollide() throws Exception {
        JsonNode node = JSON.readTree("""
                {"id": "1", "source": "reuters", "published_at": "2026-01-01T10:00:00Z", "body": "x"}""");
        RawText alice = ((ItemValidation.Valid) validation.fromJson(node, SourceKind.PUSH, "alice")).item();
        RawText bob = ((ItemValidation.Valid) validation.fromJson(node, SourceKind.PUSH, "bob")).item();

        assertThat(alice.getSource()).isEqualTo("alice/reuters");
        assertThat(alice.getId()).isNotEqualTo(bob.getId());
    }

    @Test
    void everyFieldErrorIsReportedAtOnce() throws Exception {
        ItemValidation.Result result = validate("""
                {"id": "x", "published_at": "yesterday", "body": 42, "url": "ftp://x", "tickers": ["AAPL", 7]}""");

        assertThat(result).isInstanceOf(ItemValidation.Invalid.class);
        List<String> fields = ((ItemValidation.Invalid) result).errors().stream().map(FieldError::field).toList();
        assertThat(fields).contains("published_at", "body", "tickers[1]", "source");
    }

    static Stream<Arguments> badItems() {
        String ok = "\"source\": \"s\", \"published_at\": \"2015-01-01T00:00:00Z\"";
        String big = "x".repeat(100_001);
        return Stream.of(
                Arguments.of("not an object: array", "[1, 2]", "item", "must be a JSON object"),
                Arguments.of("not an object: string", "\"hello\"", "item", "must be a JSON object"),
                Arguments.of("not an object: null", "null", "item", "must be a JSON object"),
                Arguments.of("missing published_at", "{\"source\": \"s\", \"body\": \"x\"}", "published_at", "required"),
                Arguments.of("null published_at", "{\"source\": \"s\", \"published_at\": null, \"body\": \"x\"}", "published_at", "required"),
                Arguments.of("missing source", "{\"published_at\": \"2015-01-01T00:00:00Z\", \"body\": \"x\"}", "source", "required"),
                Arguments.of("blank source", "{\"source\": \"  \", \"published_at\": \"2015-01-01T00:00:00Z\", \"body\": \"x\"}", "source", "blank"),
                Arguments.of("missing text", "{" + ok + "}", "body", "no text"),
                Arguments.of("text empty after HTML removal", "{" + ok + ", \"body\": \"<p> </p><br>\"}", "body", "no text"),
                Arguments.of("timestamp without zone", "{" + ok.replace("00:00:00Z", "00:00:00") + ", \"body\": \"x\"}", "published_at", "no time zone"),
                Arguments.of("timestamp as words", "{\"source\": \"s\", \"published_at\": \"last Tuesday\", \"body\": \"x\"}", "published_at", "not an ISO-8601"),
                Arguments.of("timestamp with month 13", "{\"source\": \"s\", \"published_at\": \"2015-13-01T00:00:00Z\", \"body\": \"x\"}", "published_at", "not an ISO-8601"),
                Arguments.of("timestamp date only", "{\"source\": \"s\", \"published_at\": \"2015-01-01\", \"body\": \"x\"}", "published_at", "not an ISO-8601"),
                Arguments.of("timestamp before 1970", "{\"source\": \"s\", \"published_at\": \"1969-12-31T23:59:59Z\", \"body\": \"x\"}", "published_at", "before 1970"),
                Arguments.of("timestamp far in the future", "{\"source\": \"s\", \"published_at\": \"9999-12-31T23:59:59Z\", \"body\": \"x\"}", "published_at", "in the future"),
                Arguments.of("timestamp two hours ahead", "{\"source\": \"s\", \"published_at\": \"2026-01-01T14:00:01Z\", \"body\": \"x\"}", "published_at", "in the future"),
                Arguments.of("negative epoch millis", "{\"source\": \"s\", \"published_at\": -5, \"body\": \"x\"}", "published_at", "before 1970"),
                Arguments.of("epoch millis too large", "{\"source\": \"s\", \"published_at\": 123456789012345678901234567890, \"body\": \"x\"}", "published_at", "out of range"),
                Arguments.of("timestamp as boolean", "{\"source\": \"s\", \"published_at\": true, \"body\": \"x\"}", "published_at", "ISO-8601"),
                Arguments.of("body as number", "{" + ok + ", \"body\": 42}", "body", "must be a string"),
                Arguments.of("title as object", "{" + ok + ", \"title\": {\"a\": 1}, \"body\": \"x\"}", "title", "must be a string"),
                Arguments.of("source as array", "{\"source\": [\"s\"], \"published_at\": \"2015-01-01T00:00:00Z\", \"body\": \"x\"}", "source", "must be a string"),
                Arguments.of("body over the limit", "{" + ok + ", \"body\": \"" + big + "\"}", "body", "more than the limit"),
                Arguments.of("unpaired high surrogate in body", "{" + ok + ", \"body\": \"bad \\ud800 text\"}", "body", "lone surrogate U+D800"),
                Arguments.of("unpaired low surrogate in title", "{" + ok + ", \"title\": \"\\udc00\", \"body\": \"x\"}", "title", "lone surrogate U+DC00"),
                Arguments.of("unpaired surrogate in a headline", "{" + ok + ", \"headline\": \"x \\ud800\"}", "headline", "lone surrogate"),
                Arguments.of("surrogate at the end of source", "{\"source\": \"s\\ud83d\", \"published_at\": \"2015-01-01T00:00:00Z\", \"body\": \"x\"}", "source", "unpaired"),
                Arguments.of("reversed surrogate pair", "{" + ok + ", \"body\": \"\\ude00\\ud83d\"}", "body", "unpaired"),
                Arguments.of("relative url", "{" + ok + ", \"body\": \"x\", \"url\": \"/news/1\"}", "url", "not an absolute http"),
                Arguments.of("javascript url", "{" + ok + ", \"body\": \"x\", \"url\": \"javascript:alert(1)\"}", "url", "not an absolute http"),
                Arguments.of("url with spaces", "{" + ok + ", \"body\": \"x\", \"url\": \"http://a b/\"}", "url", "not a URL"),
                Arguments.of("tickers as number", "{" + ok + ", \"body\": \"x\", \"tickers\": 5}", "tickers", "must be an array"),
                Arguments.of("ticker as number", "{" + ok + ", \"body\": \"x\", \"tickers\": [5]}", "tickers[0]", "must be a string"),
                Arguments.of("ticker with spaces", "{" + ok + ", \"body\": \"x\", \"tickers\": [\"NOT A TICKER\"]}", "tickers[0]", "is not a ticker"),
                Arguments.of("too many tickers", "{" + ok + ", \"body\": \"x\", \"tickers\": [" + "\"A\",".repeat(64) + "\"B\"]}", "tickers", "more than the limit"),
                Arguments.of("language not a tag", "{" + ok + ", \"body\": \"x\", \"language\": \"English!\"}", "language", "not a BCP 47"),
                Arguments.of("language und", "{" + ok + ", \"body\": \"x\", \"language\": \"und\"}", "language", "not a BCP 47"),
                Arguments.of("id as object", "{" + ok + ", \"body\": \"x\", \"id\": {}}", "id", "must be a string"),
                Arguments.of("id too long", "{" + ok + ", \"body\": \"x\", \"id\": \"" + "i".repeat(2049) + "\"}", "id", "more than the limit"),
                Arguments.of("NUL in body", "{" + ok + ", \"body\": \"a\\u0000b\"}", "body", "control character U+0000 at position 1"),
                Arguments.of("bell in title", "{" + ok + ", \"title\": \"a\\u0007\", \"body\": \"x\"}", "title", "control character U+0007"),
                Arguments.of("escape in source", "{\"source\": \"s\\u001b\", \"published_at\": \"2015-01-01T00:00:00Z\", \"body\": \"x\"}", "source", "control character U+001B"),
                Arguments.of("NUL in url", "{" + ok + ", \"body\": \"x\", \"url\": \"https://x.test/\\u0000\"}", "url", "control character U+0000"),
                Arguments.of("unit separator in id", "{" + ok + ", \"body\": \"x\", \"id\": \"1\\u001f\"}", "id", "control character U+001F"),
                Arguments.of("NUL in author", "{" + ok + ", \"body\": \"x\", \"author\": \"\\u0000\"}", "author", "control character"),
                Arguments.of("zero-width spaces only", "{" + ok + ", \"body\": \"\\u200b\\u200b \\u200d\"}", "body", "text has no visible characters"),
                Arguments.of("bidi override only, as text", "{" + ok + ", \"text\": \"\\u202e\\u2066\"}", "text", "text has no visible characters"),
                Arguments.of("tag characters only, as headline", "{" + ok + ", \"headline\": \"\\udb40\\udc01\\udb40\\udc41\"}", "headline", "no visible"),
                Arguments.of("BOM and word joiner only", "{" + ok + ", \"title\": \" \", \"body\": \"\\ufeff\\u2060\"}", "body", "no visible"),
                Arguments.of("byte order mark only", "{" + ok + ", \"body\": \"\\ufeff\"}", "body", "no visible"),
                Arguments.of("whitespace only is no text", "{" + ok + ", \"body\": \" \\n\"}", "body", "no text"),
                Arguments.of("Hangul filler and variation selector", "{" + ok + ", \"body\": \"\\u3164\\ufe0f\"}", "body", "no visible"),
                Arguments.of("ticker upper-casing into ASCII", "{" + ok + ", \"body\": \"x\", \"tickers\": [\"\u00dfap\"]}", "tickers[0]", "is not a ticker"),
                Arguments.of("dotless i ticker", "{" + ok + ", \"body\": \"x\", \"tickers\": [\"\u0131bm\"]}", "tickers[0]", "is not a ticker"),
                Arguments.of("umlaut ticker", "{" + ok + ", \"body\": \"x\", \"tickers\": [\"\u00c4\u00d6\u00dc\"]}", "tickers[0]", "is not a ticker"),
                Arguments.of("empty ticker", "{" + ok + ", \"body\": \"x\", \"tickers\": [\"\"]}", "tickers[0]", "is not a ticker"),
                Arguments.of("year 10000", "{\"source\": \"s\", \"published_at\": \"+10000-01-01T00:00:00Z\", \"body\": \"x\"}", "published_at", "out of range"),
                Arguments.of("largest year", "{\"source\": \"s\", \"published_at\": \"+999999999-12-31T23:59:59Z\", \"body\": \"x\"}", "published_at", "out of range"),
                Arguments.of("smallest year", "{\"source\": \"s\", \"published_at\": \"-999999999-01-01T00:00:00Z\", \"body\": \"x\"}", "published_at", "before 1970"),
                Arguments.of("six minutes ahead", "{\"source\": \"s\", \"published_at\": \"2026-01-01T12:06:00Z\", \"body\": \"x\"}", "published_at", "more than 5 minutes in the future"));
    }

    @Test
    void aTimeUpToTheSkewAheadAndA2015TimeAreAccepted() throws Exception {
        assertThat(valid("{\"source\": \"s\", \"published_at\": \"2026-01-01T12:05:00Z\", \"body\": \"x\"}").getPublishedAt())
                .isEqualTo(Instant.parse("2026-01-01T12:05:00Z"));
        assertThat(valid("{\"source\": \"s\", \"published_at\": \"2015-03-22T17:56:04Z\", \"body\": \"x\"}").getPublishedAt())
                .isEqualTo(Instant.parse("2015-03-22T17:56:04Z"));
    }

    @Test
    void theFutureSkewIsConfigurable() {
        ItemValidation hourAhead = new ItemValidation(ItemValidation.Rules.defaults(CLOCK).withMaxFutureSkew(Duration.ofHours(1)));
        IncomingItem in = new IncomingItem(SourceKind.PUSH, "s", null, null, Instant.parse("2026-01-01T12:30:00Z"), null, "x", List.of(), null, null);

        assertThat(hourAhead.check(in)).isInstanceOf(ItemValidation.Valid.class);
        assertThat(((ItemValidation.Invalid) validation.check(in)).reason()).contains("published_at", "more than 5 minutes in the future");
    }

    @Test
    void visibleTextWithInvisibleCharactersInsideIsKept() throws Exception {
        RawText item = valid("{\"source\": \"s\", \"published_at\": \"2015-01-01T00:00:00Z\", \"title\": \"\\u200b\", \"body\": \"a\\u200db \\u202eup\"}");

        assertThat(item.getBody()).isEqualTo("a\u200db \u202eup");
        assertThat(item.getTitle()).as("an invisible title is as good as none").isNull();
    }

    @Test
    void manyBadTickersAreOneErrorAndManyBadValuesAtMostFivePerField() throws Exception {
        String ok = "\"source\": \"s\", \"published_at\": \"2015-01-01T00:00:00Z\", \"body\": \"x\"";
        List<FieldError> huge = ((ItemValidation.Invalid) validate("{" + ok + ", \"tickers\": [" + "1,".repeat(519_999) + "1]}")).errors();
        List<FieldError> many = ((ItemValidation.Invalid) validate("{" + ok + ", \"tickers\": [" + "1,".repeat(63) + "1]}")).errors();

        assertThat(huge).containsExactly(new FieldError("tickers", "520000 tickers, more than the limit of 64"));
        assertThat(many).hasSize(6).startsWith(new FieldError("tickers[0]", "must be a string, got number"))
                .endsWith(new FieldError("tickers", "59 more errors"));
    }

    static Stream<Arguments> badPushItems() {
        String ok = "\"source\": \"s\", \"body\": \"x\"";
        return Stream.of(
                Arguments.of("epoch seconds", "{" + ok + ", \"published_at\": 1767268800}", "published_at", "must be an ISO-8601 string such as 2026-01-02T03:04:05Z"),
                Arguments.of("epoch millis", "{" + ok + ", \"published_at\": 1767268800000}", "published_at", "got number"),
                Arguments.of("fractional seconds", "{" + ok + ", \"published_at\": 1.5}", "published_at", "must be an ISO-8601 string"),
                Arguments.of("boolean time", "{" + ok + ", \"published_at\": false}", "published_at", "must be an ISO-8601 string"),
                Arguments.of("tickers in one string", "{" + ok + ", \"published_at\": \"2015-01-01T00:00:00Z\", \"tickers\": \"AA PL\"}", "tickers", "must be an array of strings"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badPushItems")
    void anApiClientMustSendTimesAsStringsAndTickersAsArrays(String name, String json, String field, String message) throws Exception {
        ItemValidation strict = new ItemValidation(ItemValidation.Rules.defaults(CLOCK).withStrictJson());

        assertRefused(name, strict.fromJson(JSON.readTree(json), SourceKind.PUSH, "client"), field, message);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badItems")
    void aBadItemIsRefusedWithTheFieldAndAnActionableReason(String name, String json, String field, String message) throws Exception {
        assertRefused(name, validate(json), field, message);
    }

    private static void assertRefused(String name, ItemValidation.Result result, String field, String message) {
        assertThat(result).as(name).isInstanceOf(ItemValidation.Invalid.class);
        assertThat(((ItemValidation.Invalid) result).errors()).as(name).anySatisfy(e -> {
            assertThat(e.field()).isEqualTo(field);
            assertThat(e.message()).contains(message);
        });
    }

    @Test
    void aFeedItemWithoutPublicationTimeIsRefusedByCheck() {
        ItemValidation.Result result = validation.check(new IncomingItem(SourceKind.RSS, "https://x.test/feed", "g1", null, null, "t", null,
                List.of(), null, null));

        assertThat(((ItemValidation.Invalid) result).reason()).contains("published_at: required");
    }
}
