package io.finsent.alerting.service;

import static io.finsent.alerting.service.TestSupport.ADMIN_KEY;
import static io.finsent.alerting.service.TestSupport.newAnalyst;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.finsent.common.Topics;
import io.finsent.local.testing.LocalStackTestResource;
import io.finsent.local.testing.SharedLocalStack;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * Hostile input to the alerting API is the client's mistake, answered 400 with the place named, never 503 (which
 * clients retry for ever) and never half done: control characters (U+0000 above all, which PostgreSQL cannot store)
 * and unpaired surrogates in any body field or field name, in query and path parameters, and times beyond 1970 to
 * 9999. Afterwards the service is ready, and no refused topic is listed or was published to topic.config.
 */
@QuarkusTest
@QuarkusTestResource(LocalStackTestResource.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostileApiIntegrationTest {

    private static final String BOOTSTRAP = SharedLocalStack.get().bootstrapServers();
    /** Control characters and halves of surrogate pairs, as JSON escapes. */
    private static final List<String> BAD = List.of("\\u0000", "\\u0001", "\\u0007", "\\u0008", "\\u000b", "\\u000c", "\\u001b", "\\u001f",
            "\\ud800", "\\udfff");
    private static final List<String> REFUSED_TOPICS = new ArrayList<>();

    static Stream<Arguments> topicBodies() {
        List<Arguments> cases = new ArrayList<>();
        for (String bad : BAD) {
            String[] fields = {"name", "description", "tickers", "keywords", "aliases"};
            for (String field : fields) {
                String value = "\"pro" + bad + "be\"";
                String body = "{\"name\": " + (field.equals("name") ? value : "\"Probe\"")
                        + (field.equals("name") ? "" : ", \"" + field + "\": " + (field.equals("description") ? value : "[\"ok\", " + value + "]")) + "}";
                cases.add(Arguments.of(field, bad, body, field.equals("name") || field.equals("description") ? "field '" + field + "'"
                        : "field '" + field + "[1]'"));
            }
        }
        cases.add(Arguments.of("field name", "\\u0000", "{\"name\": \"Probe\", \"na\\u0000me\": \"x\"}", "a field name"));
        return cases.stream();
    }

    @Order(1)
    @ParameterizedTest(name = "PUT /v1/topics with {1} in {0}")
    @MethodSource("topicBodies")
    void aTopicWithAControlCharacterIsRefusedAndNeitherStoredNorPublished(String field, String bad, String body, String named) {
        String id = "probe-" + field.replace(' ', '-') + "-" + bad.substring(2).toLowerCase(Locale.ROOT);
        REFUSED_TOPICS.add(id);
        Response response = given().header("X-Api-Key", ADMIN_KEY).contentType("application/json").body(body).put("/v1/topics/" + id);

        assertRefused(response, named);
        assertThat(given().header("X-Api-Key", ADMIN_KEY).get("/v1/topics").then().statusCode(200).extract().jsonPath().getList("id"))
                .doesNotContain(id);
        assertThat(given().header("X-Api-Key", ADMIN_KEY).delete("/v1/topics/" + id).statusCode()).as("no ghost to delete").isEqualTo(404);
    }

    static Stream<Arguments> encodings() {
        String topic = "{\"name\": \"Caf\u00e9 probe\", \"keywords\": [\"acme\"]}";
        byte[] utf8 = topic.getBytes(StandardCharsets.UTF_8);
        byte[] withOverlong = concat("{\"name\": \"a".getBytes(StandardCharsets.US_ASCII), new byte[] {(byte) 0xC0, (byte) 0xAF},
                "b\", \"keywords\": [\"acme\"]}".getBytes(StandardCharsets.US_ASCII));
        return Stream.of(
                Arguments.of("UTF-16 with a byte order mark", topic.getBytes(StandardCharsets.UTF_16), "application/json", null, 415, "UTF-8"),
                Arguments.of("UTF-16LE", topic.getBytes(StandardCharsets.UTF_16LE), "application/json", null, 415, "UTF-8"),
                Arguments.of("UTF-32", topic.getBytes(java.nio.charset.Charset.forName("UTF-32")), "application/json", null, 415, "UTF-8"),
                Arguments.of("an overlong slash", withOverlong, "application/json", null, 400, "not UTF-8"),
                Arguments.of("a truncated sequence", concat("{\"name\": \"a".getBytes(StandardCharsets.US_ASCII), new byte[] {(byte) 0xE2, (byte) 0x82},
                        "\", \"keywords\": [\"acme\"]}".getBytes(StandardCharsets.US_ASCII)), "application/json", null, 400, "not UTF-8"),
                Arguments.of("ISO-8859-1 by its Content-Type", topic.getBytes(StandardCharsets.ISO_8859_1), "application/json; charset=ISO-8859-1", null,
                        415, "charset 'iso-8859-1'"),
                Arguments.of("gzip", utf8, "application/json", "gzip", 415, "Content-Encoding 'gzip'"),
                Arguments.of("br, identity", utf8, "application/json", "identity, br", 415, "Content-Encoding 'br'"));
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    @Order(1)
    @ParameterizedTest(name = "PUT /v1/topics in {0}")
    @MethodSource("encodings")
    void aBodyInAnotherEncodingIsRefusedAndNeitherStoredNorPublished(String name, byte[] body, String contentType, String contentEncoding,
            int status, String named) {
        String id = "probe-enc-" + Math.abs(name.hashCode());
        REFUSED_TOPICS.add(id);
        var request = given().header("X-Api-Key", ADMIN_KEY).contentType(contentType).body(body);
        if (contentEncoding != null) {
            request = request.header("Content-Encoding", contentEncoding);
        }
        Response response = request.put("/v1/topics/" + id);

        assertThat(response.statusCode()).as(response.asString()).isEqualTo(status);
        assertThat(response.jsonPath().getString("error")).contains(named);
        assertThat(given().header("X-Api-Key", ADMIN_KEY).get("/v1/topics").then().statusCode(200).extract().jsonPath().getList("id"))
                .as("topics listed").doesNotContain(id);
    }

    static Stream<Arguments> analystBodies() {
        List<Arguments> cases = new ArrayList<>();
        for (String bad : BAD) {
            cases.add(Arguments.of("/v1/silences", "{\"topic\": \"acme\", \"ends_at\": \"2031-01-01T00:00:00Z\", \"comment\": \"maint" + bad + "\"}",
                    "field 'comment'"));
            cases.add(Arguments.of("/v1/subscriptions", "{\"topic\": \"acme" + bad + "\"}", "field 'topic'"));
            cases.add(Arguments.of("/v1/subscriptions", "{\"topic\": \"acme\", \"rule_params\": {\"note\": \"x" + bad + "\"}}",
                    "field 'rule_params.note'"));
            cases.add(Arguments.of("/v1/subscriptions", "{\"topic\": \"acme\", \"webhook_url\": \"https://example.com/hook\", "
                    + "\"webhook_secret\": \"0123456789abcdef" + bad + "\"}", "field 'webhook_secret'"));
        }
        // limits of the JSON reader, enforced while reading
        cases.add(Arguments.of("/v1/subscriptions", "{\"topic\": \"acme\", \"rule_params\": " + "{\"a\": ".repeat(40) + "1" + "}".repeat(40) + "}",
                "exceeds a limit of the JSON reader"));
        cases.add(Arguments.of("/v1/subscriptions", "{\"topic\": \"acme\", \"rule_params\": {\"n\": " + "9".repeat(1_000) + "}}",
                "exceeds a limit of the JSON reader"));
        cases.add(Arguments.of("/v1/subscriptions", "{\"topic\": \"acme\", \"" + "x".repeat(300) + "\": 1}", "exceeds a limit of the JSON reader"));
        for (String time : List.of("+294277-01-01T00:00:00Z", "+10000-01-01T00:00:00Z", "1969-12-31T23:59:59Z", "-0001-01-01T00:00:00Z")) {
            cases.add(Arguments.of("/v1/silences", "{\"topic\": \"acme\", \"ends_at\": \"" + time + "\", \"comment\": \"far\"}", "'ends_at'"));
            cases.add(Arguments.of("/v1/silences", "{\"topic\": \"acme\", \"starts_at\": \"" + time + "\", \"ends_at\": \"2031-01-01T00:00:00Z\", "
                    + "\"comment\": \"far\"}", "'starts_at'"));
        }
        return cases.stream();
    }

    @Order(2)
    @ParameterizedTest(name = "POST {0} {1}")
    @MethodSource("analystBodies")
    void anAnalystsBodyWithAControlCharacterOrATimeOutOfRangeIsRefused(String path, String body, String named) {
        TestSupport.Analyst alice = newAnalyst("hostile-" + Math.abs(body.hashCode()));
        Response response = given().header("X-Api-Key", alice.key()).contentType("application/json").body(body).post(path);

        assertRefused(response, named);
        assertThat(given().header("X-Api-Key", alice.key()).get(path).then().statusCode(200).extract().jsonPath().getList("$"))
                .as("nothing stored").isEmpty();
    }

    static Stream<Arguments> requestLines() {
        List<Arguments> cases = new ArrayList<>();
        for (String bad : List.of("%00", "%01", "%08", "%1B", "%1F")) {
            cases.add(Arguments.of("/v1/trends?topic=acme" + bad, "query parameter 'topic'"));
            cases.add(Arguments.of("/v1/trends?topic=acme&from=2025-01-01T00:00:00Z" + bad, "query parameter 'from'"));
            cases.add(Arguments.of("/v1/alerts?topic=" + bad + "acme", "query parameter 'topic'"));
            cases.add(Arguments.of("/v1/alerts?run=live" + bad, "query parameter 'run'"));
            cases.add(Arguments.of("/v1/topics/summary?run=" + bad, "query parameter 'run'"));
            cases.add(Arguments.of("/v1/alerts?to" + bad + "=1", "the name of query parameter"));
            cases.add(Arguments.of("/v1/topics/ac" + bad + "me", "the path segment"));
        }
        for (String time : List.of("%2B294277-01-01T00:00:00Z", "1969-12-31T23:59:59Z", "%2B10000-01-01T00:00:00Z")) {
            cases.add(Arguments.of("/v1/trends?topic=acme&from=" + time, "'from'"));
            cases.add(Arguments.of("/v1/topics/summary?to=" + time, "'to'"));
        }
        return cases.stream();
    }

    @Order(3)
    @ParameterizedTest(name = "GET {0}")
    @MethodSource("requestLines")
    void aQueryOrPathWithAControlCharacterOrATimeOutOfRangeIsRefused(String pathAndQuery, String named) {
        assertRefused(given().urlEncodingEnabled(false).header("X-Api-Key", ADMIN_KEY).get(pathAndQuery), named);
    }

    @Order(4)
    @Test
    void aTopicWithNoControlCharacterIsStillStored() {
        Response response = given().header("X-Api-Key", ADMIN_KEY).contentType("application/json")
                .body("{\"name\": \"Tabs\\tand\\nlines \\ud83d\\udcc9\", \"keywords\": [\"caf\\u00e9\", \"x\\u007f\\u0085\"]}").put("/v1/topics/probe-plain");
        assertThat(response.statusCode()).as(response.asString()).isEqualTo(200);
        assertThat(response.jsonPath().getString("name")).isEqualTo("Tabs\tand\nlines \uD83D\uDCC9");
    }

    @Order(5)
    @Test
    void afterwardsTheServiceIsReadyAndNoRefusedTopicWasPublished() {
        assertThat(given().get("/q/health/ready").statusCode()).isEqualTo(200);
        List<ConsumerRecord<byte[], byte[]>> published = TestSupport.readUntil(BOOTSTRAP, Topics.TOPIC_CONFIG.name(), Duration.ofSeconds(10),
                read -> read.stream().anyMatch(r -> new String(r.key()).equals("probe-plain")));
        assertThat(published).extracting(r -> new String(r.key())).contains("probe-plain").doesNotContainAnyElementsOf(REFUSED_TOPICS);
    }

    private static void assertRefused(Response response, String named) {
        assertThat(response.statusCode()).as(response.asString()).isEqualTo(400);
        assertThat(response.jsonPath().getString("error")).contains(named);
        assertThat(response.header("Retry-After")).isNull();
    }
}
