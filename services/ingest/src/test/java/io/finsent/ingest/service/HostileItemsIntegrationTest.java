package io.finsent.ingest.service;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.finsent.ingest.ItemIds;
import io.finsent.local.testing.LocalStackTestResource;
import io.finsent.local.testing.SharedLocalStack;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * POST /v1/items against hostile bodies (issue 16): each is refused with 400, 413 or 415, the answer names the field
 * or the reason and stays under 8 KB, nothing reaches text.raw, and the service stays ready. Items of 2015 and of now
 * are still accepted.
 */
@QuarkusTest
@QuarkusTestResource(LocalStackTestResource.class)
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class HostileItemsIntegrationTest {

    private static final String PUSH_KEY = "test-push-key";
    private static final String NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(60).toString();
    private static final int SMALL_ANSWER = 8 * 1024;

    /** One hostile request: its body and headers, the status it must get and a text its answer must hold. */
    record Hostile(String name, byte[] body, String contentType, String contentEncoding, int status, String mentions) {

        Hostile(String name, String json, int status, String mentions) {
            this(name, json.getBytes(StandardCharsets.UTF_8), "application/json", null, status, mentions);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** A valid item with one field set to a raw JSON value (null: left out). */
    private static String item(String field, String rawValue) {
        Map<String, String> fields = new java.util.LinkedHashMap<>();
        fields.put("source", "\"wire\"");
        fields.put("published_at", "\"" + NOW + "\"");
        fields.put("text", "\"Acme wins a contract\"");
        fields.put(field, rawValue);
        return fields.entrySet().stream().filter(e -> e.getValue() != null).map(e -> "\"" + e.getKey() + "\": " + e.getValue())
                .collect(Collectors.joining(", ", "{", "}"));
    }

    private static String field(String name) {
        return "\"field\":\"" + name + "\"";
    }

    private static String escape(int codePoint) {
        return new String(Character.toChars(codePoint)).chars().mapToObj(c -> String.format(Locale.ROOT, "\\u%04x", c)).collect(Collectors.joining());
    }

    private static byte[] bytes(String before, int[] middle, String after) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(before.getBytes(StandardCharsets.UTF_8));
        for (int b : middle) {
            out.write(b);
        }
        out.writeBytes(after.getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    private static byte[] gzip(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream zip = new GZIPOutputStream(out)) {
            zip.write(text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static Stream<Hostile> controlCharacters() {
        List<Hostile> all = new ArrayList<>();
        for (int c = 0; c < 0x20; c++) {
            if (c == '\t' || c == '\n' || c == '\r') {
                continue;
            }
            String u = escape(c);
            String name = String.format(Locale.ROOT, "U+%04X in ", c);
            all.add(new Hostile(name + "text", item("text", "\"Acme" + u + "wins\""), 400, field("text")));
            all.add(new Hostile(name + "title", item("title", "\"Acme" + u + "\""), 400, field("title")));
            all.add(new Hostile(name + "url", item("url", "\"https://x.test/" + u + "\""), 400, field("url")));
            all.add(new Hostile(name + "source", item("source", "\"wi" + u + "re\""), 400, field("source")));
        }
        return all.stream();
    }

    static Stream<Hostile> invisibleTexts() {
        int[][] texts = {{0x200B}, {0x200C}, {0x200D}, {0x200E}, {0x200F}, {0x2060}, {0x2061}, {0x2062}, {0x2063}, {0x2064}, {0xFEFF},
                {0x202A}, {0x202B}, {0x202C}, {0x202D}, {0x202E}, {0x2066}, {0x2067}, {0x2068}, {0x2069}, {0xE0001}, {0xE0020, 0xE007F},
                {0x20, 0x200B, 0xA0, 0x3000}, {0x202E, 0x200B, 0xFEFF, 0xE0041}};
        return Stream.of(texts).map(cps -> {
            String text = IntStream.of(cps).mapToObj(HostileItemsIntegrationTest::escape).collect(Collectors.joining());
            String name = IntStream.of(cps).mapToObj(cp -> String.format(Locale.ROOT, "U+%04X", cp)).collect(Collectors.joining(" "));
            return new Hostile("text of only " + name, item("text", "\"" + text + "\""), 400, "no visible characters");
        });
    }

    static Stream<Hostile> badTickers() {
        return Stream.of(
                new Hostile("ticker with a space", item("tickers", "[\"AA PL\"]"), 400, field("tickers[0]")),
                new Hostile("tickers as one string", item("tickers", "\"AA PL\""), 400, field("tickers")),
                new Hostile("umlaut ticker", item("tickers", "[\"ÄÖÜ\"]"), 400, field("tickers[0]")),
                new Hostile("sharp s upper-cases to SS", item("tickers", "[\"ßap\"]"), 400, field("tickers[0]")),
                new Hostile("dotless i upper-cases to I", item("tickers", "[\"ıbm\"]"), 400, field("tickers[0]")),
                new Hostile("empty ticker", item("tickers", "[\"\"]"), 400, field("tickers[0]")),
                new Hostile("ticker as number", item("tickers", "[1]"), 400, field("tickers[0]")),
                new Hostile("ticker null", item("tickers", "[null]"), 400, field("tickers[0]")),
                new Hostile("ticker as object", item("tickers", "[{}]"), 400, field("tickers[0]")),
                new Hostile("ticker as array", item("tickers", "[[\"A\"]]"), 400, field("tickers[0]")),
                new Hostile("dollar alone", item("tickers", "[\"$\"]"), 400, field("tickers[0]")),
                new Hostile("thirteen letters", item("tickers", "[\"ABCDEFGHIJKLM\"]"), 400, field("tickers[0]")),
                new Hostile("leading dash", item("tickers", "[\"-A\"]"), 400, field("tickers[0]")),
                new Hostile("NUL in ticker", item("tickers", "[\"A\\u0000\"]"), 400, field("tickers[0]")),
                new Hostile("tickers as number", item("tickers", "5"), 400, field("tickers")),
                new Hostile("65 tickers", item("tickers", "[" + String.join(",", Collections.nCopies(65, "\"A\"")) + "]"), 400, "65 values"));
    }

    static Stream<Hostile> badTimes() {
        String ahead = Instant.now().plus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS).toString();
        String justAhead = Instant.now().plus(6, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.SECONDS).toString();
        return Stream.of("1767268800", "1767268800000", "0", "-1", "1.5", "true", "[]", "{}", "\"\"", "\" \"", "\"now\"",
                        "\"1969-12-31T23:59:59Z\"", "\"+10000-01-01T00:00:00Z\"", "\"+999999999-12-31T23:59:59Z\"", "\"-999999999-01-01T00:00:00Z\"",
                        "\"2015-03-22T17:56:04\"", "\"2015-02-30T00:00:00Z\"", "\"" + ahead + "\"", "\"" + justAhead + "\"", "\"2015-03-22\"")
                .map(t -> new Hostile("published_at " + t, item("published_at", t), 400, field("published_at")));
    }

    static Stream<Hostile> badEncodings() {
        String before = "{\"source\": \"wire\", \"published_at\": \"" + NOW + "\", \"text\": \"Acme ";
        String after = " wins\"}";
        String json = item("author", null);
        List<Hostile> all = new ArrayList<>();
        int[][] invalid = {{0xC0, 0xAF}, {0xC0, 0x80}, {0xC1, 0xBF}, {0xE0, 0x80, 0xAF}, {0xF0, 0x80, 0x80, 0xAF}, {0xF8, 0x80, 0x80, 0x80, 0xAF},
                {0xED, 0xA0, 0x80}, {0xED, 0xBF, 0xBF}, {0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80}, {0xF4, 0x90, 0x80, 0x80}, {0xFF}, {0xFE}, {0x80},
                {0xBF}, {0xE9}, {0xE2, 0x82}, {0xF0, 0x9F, 0x98}};
        for (int[] seq : invalid) {
            String hex = IntStream.of(seq).mapToObj(b -> String.format(Locale.ROOT, "%02X", b)).collect(Collectors.joining(" "));
            all.add(new Hostile("bytes " + hex + " in a string", bytes(before, seq, after), "application/json", null, 400, "are not UTF-8"));
        }
        all.add(new Hostile("truncated sequence at the end", bytes(json, new int[] {0xE2, 0x82}, ""), "application/json", null, 400, "are not UTF-8"));
        for (String charset : List.of("UTF-16", "UTF-16BE", "UTF-16LE", "UTF-32BE", "UTF-32LE")) {
            all.add(new Hostile("body in " + charset, json.getBytes(Charset.forName(charset)), "application/json", null, 415, "UTF-16 or UTF-32"));
        }
        all.add(new Hostile("UTF-32BE with a byte order mark", concat(new byte[] {0, 0, (byte) 0xFE, (byte) 0xFF}, json.getBytes(Charset.forName("UTF-32BE"))),
                "application/json", null, 415, "byte order mark"));
        all.add(new Hostile("UTF-16LE with a byte order mark", concat(new byte[] {(byte) 0xFF, (byte) 0xFE}, json.getBytes(StandardCharsets.UTF_16LE)),
                "application/json", null, 415, "byte order mark"));
        for (String charset : List.of("utf-16", "UTF-32", "iso-8859-1", "windows-1252", "\"us-ascii\"")) {
            all.add(new Hostile("charset " + charset, json.getBytes(StandardCharsets.UTF_8), "application/json; charset=" + charset, null, 415, "charset"));
        }
        all.add(new Hostile("Content-Encoding gzip", gzip(json), "application/json", "gzip", 415, "only identity"));
        for (String coding : List.of("deflate", "br", "compress", "gzip, identity", "x-custom")) {
            all.add(new Hostile("Content-Encoding " + coding, json.getBytes(StandardCharsets.UTF_8), "application/json", coding, 415, "only identity"));
        }
        all.add(new Hostile("raw control byte in a string", bytes(before, new int[] {0x01}, after), "application/json", null, 400, "at /text"));
        all.add(new Hostile("raw NUL in a string", bytes(before, new int[] {0x00}, after), "application/json", null, 400, "at /text"));
        return all.stream();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static Stream<Hostile> hugeAndDeep() {
        String half = "1,".repeat(519_999) + "1";
        return Stream.of(
                new Hostile("520,000 tickers", item("tickers", "[" + half + "]"), 400, field("tickers")),
                new Hostile("100,000 values in an unknown field", item("meta", "[" + "1,".repeat(99_999) + "1]"), 400, field("meta")),
                new Hostile("an item of 20,000 fields", item("author", null).replaceFirst("\\{",
                        "{" + IntStream.range(0, 20_000).mapToObj(i -> "\"f" + i + "\": 1, ").collect(Collectors.joining())), 400, field("item")),
                new Hostile("a batch of 520,000 numbers", "[" + half + "]", 413, "520000 items"),
                new Hostile("a batch of 1,001 items", "[" + String.join(",", Collections.nCopies(1001, item("author", null))) + "]", 413, "1001 items"),
                new Hostile("17 levels in an unknown field", item("meta", "{\"a\": ".repeat(16) + "1" + "}".repeat(16)), 400, "nesting depth"),
                new Hostile("3,000 nested arrays", "[".repeat(3000) + "]".repeat(3000), 400, "nesting depth"),
                new Hostile("500,000 unclosed arrays", "[".repeat(500_000), 400, "nesting depth"),
                new Hostile("nested tickers", item("tickers", "[".repeat(50) + "]".repeat(50)), 400, "/tickers/0/0"),
                new Hostile("a 40-digit id", item("id", "9".repeat(40)), 400, "/id"),
                new Hostile("a 300-character field name", item("n".repeat(300), "1"), 400, "exceeds a limit"),
                new Hostile("lone high surrogate in text", item("text", "\"a\\ud800b\""), 400, field("text")),
                new Hostile("lone low surrogate in title", item("title", "\"\\udc00\""), 400, field("title")),
                new Hostile("lone surrogate in source", item("source", "\"s\\udbff\""), 400, field("source")),
                new Hostile("lone surrogate in url", item("url", "\"https://x.test/\\ud800\""), 400, field("url")),
                new Hostile("a thousand invalid items", "[" + String.join(",", Collections.nCopies(1000, item("published_at", "1"))) + "]", 400,
                        "1000 of 1000 items are invalid"));
    }

    static Stream<Hostile> hostile() {
        return Stream.of(controlCharacters(), invisibleTexts(), badTickers(), badTimes(), badEncodings(), hugeAndDeep()).flatMap(s -> s);
    }

    private static Response push(Hostile h) {
        var request = given().header("X-API-Key", PUSH_KEY).contentType(h.contentType()).body(h.body());
        if (h.contentEncoding() != null) {
            request = request.header("Content-Encoding", h.contentEncoding());
        }
        return request.post("/v1/items");
    }

    @Test
    void thereAreAtLeastAHundredDistinctHostileInputs() {
        List<Hostile> all = hostile().toList();

        assertThat(all).hasSizeGreaterThanOrEqualTo(100);
        assertThat(all.stream().map(Hostile::name).distinct()).hasSameSizeAs(all);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostile")
    void aHostileBodyIsRefusedSmallWithItsFieldAndPublishesNothing(Hostile h) throws Exception {
        // Given what text.raw holds now
        long before = rawRecords();

        // When the hostile body is pushed
        Response response = push(h);

        // Then it is refused, names the field or the reason, in a small answer, and nothing was published
        String answer = response.asString();
        assertThat(response.statusCode()).as(h.name() + ": " + abbreviate(answer)).isEqualTo(h.status());
        assertThat(response.contentType()).as(h.name()).startsWith("application/json");
        assertThat(answer).as(h.name()).contains(h.mentions());
        assertThat(response.asByteArray().length).as(h.name() + " answer size").isLessThan(SMALL_ANSWER);
        assertThat(rawRecords()).as(h.name() + ": records in text.raw").isEqualTo(before);
        given().get("/q/health/ready").then().statusCode(200);
    }

    @Test
    void twelveHalfMillionTickerBodiesAtOnceAreRefusedAndTheServiceStaysReady() throws Exception {
        // Given twelve clients each sending a 1 MB body of 520,000 tickers at the same time
        Hostile h = hugeAndDeep().findFirst().orElseThrow();
        List<CompletableFuture<Response>> answers = IntStream.range(0, 12).mapToObj(i -> CompletableFuture.supplyAsync(() -> push(h))).toList();

        // Then each gets a small 400 naming the field, and the service is ready afterwards
        for (CompletableFuture<Response> answer : answers) {
            Response r = answer.get(120, TimeUnit.SECONDS);
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(r.asString()).contains(field("tickers"), "520000 values");
            assertThat(r.asByteArray().length).isLessThan(SMALL_ANSWER);
        }
        given().get("/q/health/ready").then().statusCode(200);
    }

    @Test
    void itemsOf2015AndOfNowAreStillAccepted() throws Exception {
        // Given an archive-style item of 2015 and one dated now, in one batch
        String old = "old-" + UUID.randomUUID();
        String now = "now-" + UUID.randomUUID();
        String batch = "[{\"id\": \"" + old + "\", \"source\": \"FoolHeadlines\", \"published_at\": \"2015-03-22T17:56:04Z\", \"tickers\": [\"AAPL\"],"
                + " \"headline\": \"Should Apple Inc. Be Worried? $AAPL\"}, {\"id\": \"" + now + "\", \"source\": \"wire\", \"published_at\": \""
                + Instant.now().truncatedTo(ChronoUnit.SECONDS) + "\", \"text\": \"Acme \u200bwins \ud83d\udc4d\", \"tickers\": [\"brk.b\"]}]";

        // When it is pushed
        given().header("X-API-Key", PUSH_KEY).contentType("application/json; charset=UTF-8").header("Content-Encoding", "identity")
                .body(batch.getBytes(StandardCharsets.UTF_8)).post("/v1/items").then().statusCode(202);

        // Then both are in text.raw
        String idOld = ItemIds.ofNativeId("pusher/FoolHeadlines", old);
        String idNow = ItemIds.ofNativeId("pusher/wire", now);
        var raw = TopicReader.awaitByKey(TopicReader.RAW_TEXT, r -> r.containsKey(idOld) && r.containsKey(idNow));
        assertThat(raw).containsKeys(idOld, idNow);
    }

    private static Admin admin;

    /** Records in text.raw: the sum of its partitions' end offsets (the service's producer is not transactional). */
    private static synchronized long rawRecords() throws Exception {
        if (admin == null) {
            Properties props = new Properties();
            props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, SharedLocalStack.get().bootstrapServers());
            admin = Admin.create(props);
        }
        var partitions = admin.describeTopics(List.of(TopicReader.RAW_TEXT)).allTopicNames().get(30, TimeUnit.SECONDS).get(TopicReader.RAW_TEXT)
                .partitions().stream().collect(Collectors.toMap(p -> new TopicPartition(TopicReader.RAW_TEXT, p.partition()), p -> OffsetSpec.latest()));
        return admin.listOffsets(partitions).all().get(30, TimeUnit.SECONDS).values().stream().mapToLong(o -> o.offset()).sum();
    }

    @AfterAll
    static void closeAdmin() {
        if (admin != null) {
            admin.close();
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 500 ? s : s.substring(0, 500) + "...";
    }
}
