package io.finsent.ingest.service;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.finsent.local.testing.LocalStackTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * The feeds API ({@code /v1/feeds}) against hostile requests (issue 16): each is refused with the status named, the
 * answer says why in under 8 KB, the feed list is unchanged, and the service stays ready.
 */
@QuarkusTest
@QuarkusTestResource(LocalStackTestResource.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class HostileFeedsApiIntegrationTest {

    private static final String ADMIN_KEY = "test-admin-key";
    private static final int SMALL_ANSWER = 8 * 1024;

    /** One hostile POST /v1/feeds: its body (with its charset), the status it must get and a text its answer must hold. */
    record Hostile(String name, byte[] body, String contentType, int status, String mentions) {

        Hostile(String name, String json, int status, String mentions) {
            this(name, json.getBytes(StandardCharsets.UTF_8), "application/json", status, mentions);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private static Hostile url(String name, String url, String mentions) {
        return new Hostile(name, "{\"url\": " + url + "}", 400, mentions);
    }

    private static Hostile interval(String name, String interval, String mentions) {
        return new Hostile(name, "{\"url\": \"https://feeds.example.com/rss\", \"interval\": " + interval + "}", 400, mentions);
    }

    private static Hostile tickers(String name, String tickers, String mentions) {
        return new Hostile(name, "{\"url\": \"https://feeds.example.com/rss\", \"tickers\": " + tickers + "}", 400, mentions);
    }

    private static Hostile name(String name, String value, String mentions) {
        return new Hostile(name, "{\"url\": \"https://feeds.example.com/rss\", \"name\": " + value + "}", 400, mentions);
    }

    static Stream<Hostile> hostileBodies() {
        return Stream.of(
                url("no url", "null", "url"),
                new Hostile("an empty body", "", 400, "body"),
                new Hostile("an empty object", "{}", 400, "url"),
                new Hostile("an array", "[{\"url\": \"https://a.example/rss\"}]", 400, "object"),
                new Hostile("a string", "\"https://a.example/rss\"", 400, "object"),
                new Hostile("not JSON", "url=https://a.example/rss", 400, "JSON"),
                new Hostile("trailing data", "{\"url\": \"https://a.example/rss\"} {}", 400, "trailing"),
                new Hostile("a duplicate key", "{\"url\": \"https://a.example/rss\", \"url\": \"https://b.example/rss\"}", 400, "url"),
                new Hostile("an unknown field", "{\"url\": \"https://a.example/rss\", \"admin\": true}", 400, "admin"),
                new Hostile("deep nesting", "{\"url\": " + "[".repeat(5000) + "]".repeat(5000) + "}", 400, "url"),
                new Hostile("deep nesting in an unknown field", "{\"x\": " + "[".repeat(5000) + "]".repeat(5000) + "}", 400, "x"),
                new Hostile("a huge field name", "{\"" + "k".repeat(10_000) + "\": 1, \"url\": \"https://a.example/rss\"}", 400, "name"),
                new Hostile("a body over 64 KiB", "{\"url\": \"https://a.example/" + "a".repeat(70_000) + "\"}", 413, "65536"),
                new Hostile("a UTF-16 body", "{\"url\": \"https://a.example/rss\"}".getBytes(Charset.forName("UTF-16")), "application/json", 415, "UTF-8"),
                new Hostile("a UTF-16LE body without a byte order mark", "{\"url\": \"https://a.example/rss\"}".getBytes(StandardCharsets.UTF_16LE),
                        "application/json", 415, "UTF-8"),
                new Hostile("a UTF-32 body", "{\"url\": \"https://a.example/rss\"}".getBytes(Charset.forName("UTF-32")), "application/json", 415, "UTF-8"),
                new Hostile("an overlong UTF-8 slash", new byte[] {'{', '"', 'u', 'r', 'l', '"', ':', '"', 'h', 't', 't', 'p', ':', (byte) 0xC0, (byte) 0xAF,
                        (byte) 0xC0, (byte) 0xAF, 'a', '"', '}'}, "application/json", 400, "UTF-8"),
                new Hostile("a truncated UTF-8 sequence", new byte[] {'{', '"', 'u', 'r', 'l', '"', ':', '"', (byte) 0xE2, (byte) 0x82, '"', '}'}, "application/json",
                        400, "UTF-8"),
                url("a number", "42", "url"),
                url("an object", "{\"href\": \"https://a.example\"}", "url"),
                url("an array of urls", "[\"https://a.example/rss\"]", "url"),
                url("true", "true", "url"),
                url("empty", "\"\"", "http"),
                url("blank", "\"   \"", "http"),
                url("relative", "\"/rss.xml\"", "http"),
                url("no host", "\"http:///rss\"", "http"),
                url("file", "\"file:///etc/passwd\"", "http"),
                url("ftp", "\"ftp://ftp.example.com/feed\"", "http"),
                url("gopher", "\"gopher://127.0.0.1:6379/_INFO\"", "http"),
                url("javascript", "\"javascript:alert(1)\"", "http"),
                url("data", "\"data:text/xml,<rss/>\"", "URL"),
                url("jar", "\"jar:http://a.example/x.jar!/feed.xml\"", "http"),
                url("a space in the host", "\"http://a b.example/rss\"", "URL"),
                url("a NUL", "\"https://a.example/rss\\u0000.xml\"", "U+0000"),
                url("a control character", "\"https://a.example/\\u0007rss\"", "U+0007"),
                url("a lone surrogate", "\"https://a.example/\\ud800\"", "surrogate"),
                url("a newline (header injection)", "\"https://a.example/rss\\r\\nX-Injected: 1\"", "URL"),
                url("a URL of 5,000 characters", "\"https://a.example/" + "a".repeat(5_000) + "\"", "2048"),
                url("a port out of range", "\"http://a.example:99999/rss\"", "URL"),
                url("cloud metadata", "\"http://169.254.169.254/latest/meta-data/\"", "link-local"),
                url("cloud metadata in IPv6 form", "\"http://[::ffff:169.254.169.254]/latest/meta-data/\"", "link-local"),
                url("a decimal IPv4 host", "\"http://2130706433/rss\"", "dotted quad"),
                url("an octal IPv4 host", "\"http://0177.0.0.1/rss\"", "dotted quad"),
                url("the unspecified address", "\"http://0.0.0.0:8081/rss\"", "unspecified"),
                url("multicast", "\"http://224.0.0.1/rss\"", "multicast"),
                tickers("tickers as a string", "\"AAPL\"", "tickers"),
                tickers("a ticker that is not one", "[\"AAPL\", \"not a ticker\"]", "not a ticker"),
                tickers("a null ticker", "[null]", "not a ticker"),
                tickers("a ticker with a NUL", "[\"AA\\u0000PL\"]", "U+0000"),
                tickers("65 tickers", "[" + String.join(",", java.util.Collections.nCopies(65, "\"AAPL\"")) + "]", "65 tickers"),
                name("a name with a NUL", "\"Apple\\u0000\"", "U+0000"),
                name("a name with a line break", "\"Apple\\nX-Injected: 1\"", "line break"),
                name("a name of 201 characters", "\"" + "n".repeat(201) + "\"", "200"),
                name("a name that is a number", "7", "name"),
                interval("not a duration", "\"5 minutes\"", "ISO-8601"),
                interval("a number", "300", "interval"),
                interval("zero", "\"PT0S\"", "between PT10S and PT24H"),
                interval("negative", "\"PT-5M\"", "between PT10S and PT24H"),
                interval("half a second", "\"PT0.5S\"", "between PT10S and PT24H"),
                interval("five seconds", "\"PT5S\"", "between PT10S and PT24H"),
                interval("a day and a second", "\"P1DT1S\"", "between PT10S and PT24H"),
                interval("overflowing", "\"PT2562047788015215H\"", "between PT10S and PT24H"),
                interval("a thousand years", "\"P365000D\"", "between PT10S and PT24H"),
                interval("past Duration's range", "\"PT9999999999999999999H\"", "ISO-8601"),
                interval("a NUL", "\"PT5M\\u0000\"", "U+0000"),
                interval("an object", "{\"minutes\": 5}", "interval"));
    }

    private static List<String> feedUrls() {
        return given().header("X-API-Key", ADMIN_KEY).get("/v1/feeds").then().statusCode(200).extract().jsonPath().getList("url", String.class);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileBodies")
    void eachHostileBodyIsRefusedAndChangesNothing(Hostile h) {
        // Given the feed list
        List<String> before = feedUrls();

        // When the hostile body is posted by a key that may change feeds
        Response response = given().header("X-API-Key", ADMIN_KEY).contentType(h.contentType()).body(h.body()).post("/v1/feeds");

        // Then it is refused, says why, in a small answer, and no feed was added
        String answer = response.asString();
        assertThat(response.statusCode()).as(h.name() + ": " + answer.substring(0, Math.min(300, answer.length()))).isEqualTo(h.status());
        assertThat(response.contentType()).as(h.name()).startsWith("application/json");
        assertThat(answer).as(h.name()).containsIgnoringCase(h.mentions());
        assertThat(response.asByteArray().length).as(h.name() + " answer size").isLessThan(SMALL_ANSWER);
        assertThat(feedUrls()).as(h.name()).isEqualTo(before);
        given().get("/q/health/ready").then().statusCode(200);
    }

    @Test
    void hostileQueryParametersAndKeysAreRefused() {
        List<String> before = feedUrls();
        // No key, a key without the feeds role, an unknown key
        given().contentType("application/json").body("{\"url\": \"https://a.example/rss\"}").post("/v1/feeds").then().statusCode(401);
        given().header("X-API-Key", "test-read-key").contentType("application/json").body("{\"url\": \"https://a.example/rss\"}")
                .post("/v1/feeds").then().statusCode(403);
        given().header("X-API-Key", "no-such-key").contentType("application/json").body("{\"url\": \"https://a.example/rss\"}")
                .post("/v1/feeds").then().statusCode(401);
        given().header("X-API-Key", "test-read-key").delete("/v1/feeds?url=https://a.example/rss").then().statusCode(403);
        // Reading the feed list and a feed's status needs the feeds role too: URLs may carry tokens
        given().get("/v1/feeds").then().statusCode(401);
        given().header("X-API-Key", "test-read-key").get("/v1/feeds").then().statusCode(403);
        given().header("X-API-Key", "test-push-key").get("/v1/feeds/f-000000000000").then().statusCode(403);
        given().get("/v1/feeds/status?url=https://a.example/rss").then().statusCode(401);
        // A NUL or another control character in a query parameter
        given().urlEncodingEnabled(false).header("X-API-Key", ADMIN_KEY).get("/v1/feeds/status?url=https://a.example/%00").then().statusCode(400);
        given().urlEncodingEnabled(false).header("X-API-Key", ADMIN_KEY).delete("/v1/feeds?url=https://a.example/%07").then().statusCode(400);
        // Unknown feeds
        given().header("X-API-Key", ADMIN_KEY).get("/v1/feeds/status?url=https://nowhere.example/rss").then().statusCode(404);
        given().header("X-API-Key", ADMIN_KEY).get("/v1/feeds/f-000000000000").then().statusCode(404).body("error", containsString("GET /v1/feeds"));
        given().header("X-API-Key", ADMIN_KEY).delete("/v1/feeds/f-000000000000").then().statusCode(404);
        given().urlEncodingEnabled(false).header("X-API-Key", ADMIN_KEY).delete("/v1/feeds/" + "x".repeat(3000)).then().statusCode(404);
        given().header("X-API-Key", ADMIN_KEY).delete("/v1/feeds?url=https://nowhere.example/rss").then().statusCode(404);
        given().header("X-API-Key", ADMIN_KEY).delete("/v1/feeds").then().statusCode(404);
        assertThat(feedUrls()).isEqualTo(before);
        given().get("/q/health/ready").then().statusCode(200);
    }

    @Test
    void aValidFeedIsStillAddedAndRemoved() {
        String url = "https://feeds.example.com/hostile-test.xml";
        given().header("X-API-Key", ADMIN_KEY).contentType("application/json").body("{\"url\": \"" + url + "\", \"interval\": \"PT10M\"}")
                .post("/v1/feeds").then().statusCode(201);
        assertThat(feedUrls()).contains(url);
        given().header("X-API-Key", ADMIN_KEY).delete("/v1/feeds?url=" + url).then().statusCode(204);
        assertThat(feedUrls()).doesNotContain(url);
    }

    @Test
    void aFeedWithTickersANameAndATokenIsShownRedactedAndRemovedByItsId() throws Exception {
        // Given a feed whose URL carries user info and a token, with tickers and a name
        String url = "https://reader:s3cret@feeds.example.com/private.xml?token=abc123";
        var added = given().header("X-API-Key", ADMIN_KEY).contentType("application/json")
                .body("{\"url\": \"" + url + "\", \"tickers\": [\"aapl\", \"$MSFT\", \"AAPL\"], \"name\": \"  Apple newsroom \"}")
                .post("/v1/feeds").then().statusCode(201).extract().jsonPath();
        String id = added.getString("id");

        // Then its id is short, its tickers normalised, its name trimmed, and neither the password nor the token is ever shown
        assertThat(id).matches("f-[0-9a-f]{12}");
        assertThat(added.getList("tickers", String.class)).containsExactly("AAPL", "MSFT");
        assertThat(added.getString("name")).isEqualTo("Apple newsroom");
        assertThat(added.getString("url")).isEqualTo("https://feeds.example.com/private.xml?…");
        String listed = given().header("X-API-Key", ADMIN_KEY).get("/v1/feeds").asString();
        assertThat(listed).contains(id).doesNotContain("s3cret").doesNotContain("abc123").doesNotContain("reader");
        assertThat(given().header("X-API-Key", ADMIN_KEY).get("/v1/feeds/" + id).asString()).contains("Apple newsroom").doesNotContain("abc123");

        // And it is kept in feed.config, whole (a later start polls it with its token)
        var stored = TopicReader.awaitByKey("feed.config", r -> r.containsKey(id)).get(id);
        var definition = TopicReader.decode("FeedDefinition", stored.get(stored.size() - 1).value());
        assertThat(TopicReader.text(definition, "url")).isEqualTo(url);
        assertThat(TopicReader.texts(definition, "tickers")).containsExactly("AAPL", "MSFT");

        // And DELETE by its id removes it, there too (a tombstone)
        given().header("X-API-Key", ADMIN_KEY).delete("/v1/feeds/" + id).then().statusCode(204);
        given().header("X-API-Key", ADMIN_KEY).get("/v1/feeds/" + id).then().statusCode(404);
        var after = TopicReader.awaitByKey("feed.config", r -> r.get(id).get(r.get(id).size() - 1).value() == null).get(id);
        assertThat(after.get(after.size() - 1).value()).isNull();
    }
}
