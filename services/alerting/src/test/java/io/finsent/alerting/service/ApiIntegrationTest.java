package io.finsent.alerting.service;

import static io.finsent.alerting.service.TestSupport.ADMIN_KEY;
import static io.finsent.alerting.service.TestSupport.newAnalyst;
import static io.finsent.alerting.service.TestSupport.subscribe;
import static io.finsent.alerting.service.TestSupport.unique;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.finsent.alerting.store.AlertTable;
import io.finsent.alerting.store.AlertingStore;
import io.finsent.alerting.trends.TrendPoint;
import io.finsent.common.Topics;
import io.finsent.local.testing.LocalStackTestResource;
import io.finsent.local.testing.SharedLocalStack;
import io.finsent.schema.AlertEvent;
import io.finsent.schema.AlertState;
import io.finsent.schema.Severity;
import io.finsent.schema.TopicDefinition;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * The REST API: every key check (missing, unknown, revoked: 401), every cross-analyst access refused (403) while
 * the owner's own call succeeds, bad input refused with the field named, the alert stream showing an analyst only
 * their own alerts, topics published to topic.config, trend rollups.
 */
@QuarkusTest
@QuarkusTestResource(LocalStackTestResource.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ApiIntegrationTest {

    private static final String BOOTSTRAP = SharedLocalStack.get().bootstrapServers();
    private static final String JDBC = SharedLocalStack.get().jdbcUrl();
    private static final String USER = SharedLocalStack.get().jdbcUser();

    @TestHTTPResource("/v1/alerts/stream")
    URL streamUrl;

    private static Response call(String key, String method, String path, String body) {
        var request = given();
        if (key != null) {
            request = request.header("X-Api-Key", key);
        }
        if (body != null) {
            request = request.contentType("application/json").body(body);
        }
        return request.request(method, path);
    }

    static Stream<Arguments> everyEndpoint() {
        return Stream.of(Arguments.of("GET", "/v1/subscriptions", null), Arguments.of("POST", "/v1/subscriptions", "{\"topic\": \"x\"}"),
                Arguments.of("GET", "/v1/subscriptions/1", null), Arguments.of("PUT", "/v1/subscriptions/1", "{\"topic\": \"x\"}"),
                Arguments.of("DELETE", "/v1/subscriptions/1", null), Arguments.of("GET", "/v1/alerts", null),
                Arguments.of("GET", "/v1/alerts/a", null), Arguments.of("GET", "/v1/alerts/stream", null),
                Arguments.of("GET", "/v1/silences", null), Arguments.of("POST", "/v1/silences", "{}"),
                Arguments.of("DELETE", "/v1/silences/1", null), Arguments.of("GET", "/v1/topics", null),
                Arguments.of("PUT", "/v1/topics/x", "{\"name\": \"x\"}"), Arguments.of("DELETE", "/v1/topics/x", null),
                Arguments.of("GET", "/v1/topics/summary", null), Arguments.of("GET", "/v1/trends?topic=x", null),
                Arguments.of("GET", "/v1/runs", null), Arguments.of("POST", "/v1/backtests", "{\"run\": \"live\"}"),
                Arguments.of("GET", "/v1/backtests/defaults", null), Arguments.of("POST", "/v1/analysts", "{\"name\": \"x\"}"),
                Arguments.of("DELETE", "/v1/analysts/1", null), Arguments.of("GET", "/v1/analysts/me", null));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyEndpoint")
    void everyEndpointRefusesAMissingUnknownOrRevokedKey(String method, String path, String body) {
        TestSupport.Analyst revoked = newAnalyst("leaver");
        call(ADMIN_KEY, "DELETE", "/v1/analysts/" + revoked.id(), null).then().statusCode(204);

        call(null, method, path, body).then().statusCode(401).body("error", containsString("no API key"));
        call("not-a-key", method, path, body).then().statusCode(401).body("error", containsString("unknown or revoked"));
        call(revoked.key(), method, path, body).then().statusCode(401).body("error", containsString("unknown or revoked"));
    }

    @Test
    void anAnalystCannotReadOrChangeAnotherAnalystsSubscriptionsSilencesOrAlerts() throws Exception {
        String topic = unique("own");
        TestSupport.Analyst alice = newAnalyst("alice");
        TestSupport.Analyst bob = newAnalyst("bob");
        long sub = subscribe(alice, "{\"topic\": \"" + topic + "\"}");
        long silence = call(alice.key(), "POST", "/v1/silences", "{\"topic\": \"" + topic + "\", \"ends_at\": \""
                + Instant.now().plusSeconds(600) + "\", \"comment\": \"maintenance\"}").then().statusCode(201).extract().jsonPath().getLong("id");
        String alertId = insertAlert(topic, "default");

        // Subscriptions: bob is refused, alice is not
        call(bob.key(), "GET", "/v1/subscriptions/" + sub, null).then().statusCode(403).body("error", containsString("another analyst"));
        call(bob.key(), "PUT", "/v1/subscriptions/" + sub, "{\"topic\": \"*\"}").then().statusCode(403);
        call(bob.key(), "DELETE", "/v1/subscriptions/" + sub, null).then().statusCode(403);
        call(bob.key(), "GET", "/v1/subscriptions", null).then().statusCode(200).body("id", not(hasItem((int) sub)));
        call(alice.key(), "GET", "/v1/subscriptions/" + sub, null).then().statusCode(200).body("topic", equalTo(topic))
                .body("webhook_secret", nullValue());
        call(bob.key(), "GET", "/v1/subscriptions/999999999", null).then().statusCode(404);
        // Alerts: only those of one's own subscriptions
        call(bob.key(), "GET", "/v1/alerts/" + alertId, null).then().statusCode(403);
        call(bob.key(), "GET", "/v1/alerts?topic=" + topic, null).then().statusCode(200).body("size()", equalTo(0));
        call(alice.key(), "GET", "/v1/alerts/" + alertId, null).then().statusCode(200).body("alert_id", equalTo(alertId));
        call(alice.key(), "GET", "/v1/alerts?topic=" + topic, null).then().statusCode(200).body("alert_id", hasItem(alertId));
        // The bootstrap admin (no analyst, no subscription) reads every alert, but owns no subscription or silence
        call(ADMIN_KEY, "GET", "/v1/alerts/" + alertId, null).then().statusCode(200).body("alert_id", equalTo(alertId));
        call(ADMIN_KEY, "GET", "/v1/alerts?topic=" + topic, null).then().statusCode(200).body("alert_id", hasItem(alertId));
        call(ADMIN_KEY, "GET", "/v1/alerts/no-such-alert", null).then().statusCode(404);
        call(ADMIN_KEY, "GET", "/v1/subscriptions", null).then().statusCode(403).body("error", containsString("has no analyst"));
        call(ADMIN_KEY, "POST", "/v1/silences", "{\"topic\": \"" + topic + "\", \"ends_at\": \"" + Instant.now().plusSeconds(600) + "\"}")
                .then().statusCode(403);
        // Silences
        call(bob.key(), "DELETE", "/v1/silences/" + silence, null).then().statusCode(403);
        call(bob.key(), "GET", "/v1/silences", null).then().statusCode(200).body("id", not(hasItem((int) silence)));
        call(alice.key(), "DELETE", "/v1/silences/" + silence, null).then().statusCode(204);
        call(alice.key(), "GET", "/v1/silences", null).then().statusCode(200).body("find { it.id == " + silence + " }.active", equalTo(false));
        // Alice's own changes and deletion work
        call(alice.key(), "PUT", "/v1/subscriptions/" + sub, "{\"topic\": \"" + topic + "\", \"min_severity\": \"critical\"}")
                .then().statusCode(200).body("min_severity", equalTo("CRITICAL"));
        call(alice.key(), "DELETE", "/v1/subscriptions/" + sub, null).then().statusCode(204);
        call(alice.key(), "GET", "/v1/subscriptions/" + sub, null).then().statusCode(404);
    }

    @Test
    void analystsAndTopicsAreForAdminsOnly() throws Exception {
        TestSupport.Analyst carol = newAnalyst("carol");
        TestSupport.Analyst other = newAnalyst("other");
        String topic = unique("topic");
        String definition = "{\"name\": \"Acme\", \"tickers\": [\"acme\"], \"keywords\": [\"acme corp\"], \"similarity_threshold\": 0.6}";

        call(carol.key(), "POST", "/v1/analysts", "{\"name\": \"mallory\"}").then().statusCode(403).body("error", containsString("admin"));
        call(carol.key(), "DELETE", "/v1/analysts/" + other.id(), null).then().statusCode(403);
        call(carol.key(), "PUT", "/v1/topics/" + topic, definition).then().statusCode(403);
        call(carol.key(), "GET", "/v1/topics", null).then().statusCode(200).body("id", not(hasItem(topic)));

        // The admin may: the definition is on topic.config and listed
        call(ADMIN_KEY, "PUT", "/v1/topics/" + topic, definition).then().statusCode(200).body("tickers", equalTo(List.of("ACME")));
        call(carol.key(), "GET", "/v1/topics", null).then().statusCode(200).body("id", hasItem(topic));
        call(carol.key(), "DELETE", "/v1/topics/" + topic, null).then().statusCode(403);
        call(ADMIN_KEY, "DELETE", "/v1/topics/" + topic, null).then().statusCode(204);
        call(ADMIN_KEY, "DELETE", "/v1/topics/" + topic, null).then().statusCode(404);
        var records = TestSupport.readUntil(BOOTSTRAP, Topics.TOPIC_CONFIG.name(), Duration.ofSeconds(20),
                read -> read.stream().filter(r -> new String(r.key()).equals(topic)).count() >= 2).stream()
                .filter(r -> new String(r.key()).equals(topic)).toList();
        assertThat(records).hasSize(2);
        TopicDefinition published = Topics.TOPIC_CONFIG.valueSerde().deserializer().deserialize(Topics.TOPIC_CONFIG.name(), records.get(0).value());
        assertThat(published.getName()).isEqualTo("Acme");
        assertThat(published.getSimilarityThreshold()).isEqualTo(0.6);
        assertThat(records.get(1).value()).isNull();
        // An analyst deleted by the admin can no longer call
        call(ADMIN_KEY, "DELETE", "/v1/analysts/" + other.id(), null).then().statusCode(204);
        call(other.key(), "GET", "/v1/subscriptions", null).then().statusCode(401);
    }

    @Test
    void badInputIsRefusedWithTheReason() {
        TestSupport.Analyst dan = newAnalyst("dan");
        String k = dan.key();
        call(k, "POST", "/v1/subscriptions", "{\"topic\": \"acme\"").then().statusCode(400).body("error", containsString("not valid JSON"));
        call(k, "POST", "/v1/subscriptions", "[1, 2]").then().statusCode(400).body("error", containsString("JSON object"));
        call(k, "POST", "/v1/subscriptions", "{\"topic\": \"acme\", \"colour\": \"red\"}").then().statusCode(400)
                .body("error", containsString("unknown field 'colour'"));
        call(k, "POST", "/v1/subscriptions", "{\"topic\": \"acme\", \"rule_params\": {\"negativeShareSigmas\": -1}}").then().statusCode(400)
                .body("error", containsString("negativeShareSigmas"));
        call(k, "POST", "/v1/subscriptions", "{\"topic\": \"acme\", \"rule_params\": {\"sigma\": 2}}").then().statusCode(400)
                .body("error", containsString("sigma"));
        call(k, "POST", "/v1/subscriptions", "{\"topic\": \"acme\", \"min_severity\": \"loud\"}").then().statusCode(400)
                .body("error", containsString("min_severity"));
        call(k, "POST", "/v1/subscriptions", "{\"topic\": \"acme\", \"webhook_url\": \"ftp://x.example.com/\"}").then().statusCode(400)
                .body("error", containsString("webhook_url"));
        call(k, "POST", "/v1/subscriptions", "{\"topic\": \"Not A Topic\"}").then().statusCode(400).body("error", containsString("'topic'"));
        call(k, "POST", "/v1/subscriptions", "{\"topic\": 5}").then().statusCode(400).body("error", containsString("must be a string"));
        call(k, "POST", "/v1/subscriptions", "{\"topic\": \"acme\", \"a\": 1, \"a\": 2}").then().statusCode(400);
        String big = "{\"topic\": \"acme\", \"webhook_secret\": \"" + "x".repeat(70_000) + "\"}";
        call(k, "POST", "/v1/subscriptions", big).then().statusCode(413).body("error", containsString("limit"));
        call(k, "POST", "/v1/silences", "{\"starts_at\": \"2030-01-02T00:00:00Z\", \"ends_at\": \"2030-01-01T00:00:00Z\", \"comment\": \"x\"}")
                .then().statusCode(400).body("error", containsString("must be after 'starts_at'"));
        call(k, "POST", "/v1/silences", "{\"starts_at\": \"1999-01-01T00:00:00Z\", \"ends_at\": \"2000-01-01T00:00:00Z\", \"comment\": \"x\"}").then().statusCode(400)
                .body("error", containsString("in the past"));
        call(k, "POST", "/v1/silences", "{\"ends_at\": \"tomorrow\", \"comment\": \"x\"}").then().statusCode(400).body("error", containsString("ISO-8601"));
        call(k, "POST", "/v1/silences", "{\"ends_at\": \"2099-01-01T00:00:00Z\"}").then().statusCode(400).body("error", containsString("comment"));
        call(k, "POST", "/v1/silences", "{\"rule\": \"LOUDNESS\", \"ends_at\": \"2099-01-01T00:00:00Z\", \"comment\": \"x\"}").then().statusCode(400)
                .body("error", containsString("'rule'"));
        call(k, "GET", "/v1/alerts?state=ON_FIRE", null).then().statusCode(400).body("error", containsString("state"));
        call(k, "GET", "/v1/trends", null).then().statusCode(400).body("error", containsString("topic"));
        call(k, "GET", "/v1/trends?topic=x&resolution=week", null).then().statusCode(400).body("error", containsString("resolution"));
        call(k, "GET", "/v1/trends?topic=x&from=2025-01-02T00:00:00Z&to=2025-01-01T00:00:00Z", null).then().statusCode(400);
        // A valid one passes, and the generated webhook secret is shown this once
        call(k, "POST", "/v1/subscriptions", "{\"topic\": \"acme\", \"rule_params\": {\"negativeShareSigmas\": 5.5}, \"webhook_url\": \"https://h.example.com/x\"}")
                .then().statusCode(201).body("webhook_secret", not(nullValue())).body("rule_set", org.hamcrest.Matchers.startsWith("rs-"))
                .body("rule_params.negativeShareSigmas", equalTo(5.5f));
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"http://127.0.0.1:8083/v1/admin", "http://localhost:9092/", "http://[::1]/hook",
            "http://127.1/hook", "http://2130706433/hook", "http://0x7f.0.0.1/hook", "http://[::ffff:127.0.0.1]/hook", "http://10.1.2.3/hook",
            "http://192.168.0.1/hook", "http://169.254.169.254/latest/meta-data/", "http://0.0.0.0:5432/"})
    void aWebhookToLoopbackPrivateOrMetadataAddressesIsRefusedWhenSubscribing(String target) {
        String k = newAnalyst("hooker").key();
        call(k, "POST", "/v1/subscriptions", "{\"topic\": \"acme\", \"webhook_url\": \"" + target + "\"}").then().statusCode(400)
                .body("error", containsString("webhook_url")).body("error", containsString("refused"));
        // and when a subscription is changed to point there
        long id = call(k, "POST", "/v1/subscriptions", "{\"topic\": \"acme\", \"webhook_url\": \"https://hooks.example.com/ok\"}").then().statusCode(201)
                .extract().jsonPath().getLong("id");
        call(k, "PUT", "/v1/subscriptions/" + id, "{\"topic\": \"acme\", \"webhook_url\": \"" + target + "\"}").then().statusCode(400)
                .body("error", containsString("refused"));
        call(k, "GET", "/v1/subscriptions", null).then().statusCode(200).body("webhook_url", org.hamcrest.Matchers.everyItem(equalTo("https://hooks.example.com/ok")));
    }

    @Test
    void theAlertStreamShowsAnAnalystOnlyTheAlertsOfTheirSubscriptionsAndAnAdminEveryAlert() throws Exception {
        String aliceTopic = unique("stream-a");
        String bobTopic = unique("stream-b");
        TestSupport.Analyst alice = newAnalyst("alice");
        TestSupport.Analyst bob = newAnalyst("bob");
        subscribe(alice, "{\"topic\": \"" + aliceTopic + "\"}");
        subscribe(bob, "{\"topic\": \"" + bobTopic + "\"}");
        TestSupport.Listener aliceStream = TestSupport.listen(streamUrl, alice.key());
        TestSupport.Listener bobStream = TestSupport.listen(streamUrl, bob.key());
        TestSupport.Listener adminStream = TestSupport.listen(streamUrl, ADMIN_KEY);

        // Events for alice's topic until her stream shows one (the feed may still be positioning), then one for bob's
        String aliceAlert = unique("alert-a");
        String bobAlert = unique("alert-b");
        TestSupport.await("alice's event on her stream", Duration.ofSeconds(30), () -> {
            publishEvent(aliceAlert, aliceTopic);
            String line = aliceStream.lines().poll(500, TimeUnit.MILLISECONDS);
            return line != null && line.contains(aliceAlert);
        });
        publishEvent(bobAlert, bobTopic);
        TestSupport.await("bob's event on his stream", Duration.ofSeconds(30), () -> {
            String line = bobStream.lines().poll(500, TimeUnit.MILLISECONDS);
            return line != null && line.contains(bobAlert);
        });

        // Then bob, connected all along, never saw alice's alert, and alice never saw bob's
        assertThat(bobStream.seen()).isNotEmpty().noneMatch(l -> l.contains(aliceAlert));
        assertThat(aliceStream.seen()).isNotEmpty().noneMatch(l -> l.contains(bobAlert));
        // The admin, subscribed to nothing, saw both
        TestSupport.await("both events on the admin's stream", Duration.ofSeconds(30),
                () -> adminStream.seen().stream().anyMatch(l -> l.contains(aliceAlert)) && adminStream.seen().stream().anyMatch(l -> l.contains(bobAlert)));
    }

    private static void publishEvent(String alertId, String topic) throws Exception {
        AlertEvent event = AlertEvent.newBuilder().setAlertId(alertId).setRunId("live").setRuleSet("default").setRule("NEGATIVE_SHARE")
                .setTopic(topic).setSeverity(Severity.WARNING).setState(AlertState.FIRING).setWindowStart(Instant.parse("2025-01-01T00:00:00Z"))
                .setWindowSizeMs(60_000).setObserved(0.8).setBaseline(0.1).setThreshold(0.25).setMessage("test").setEventTime(Instant.parse("2025-01-01T00:01:00Z"))
                .build();
        TestSupport.producer(BOOTSTRAP).send(new ProducerRecord<>(Topics.ALERT_EVENTS.name(), alertId.getBytes(),
                TestSupport.bytes(Topics.ALERT_EVENTS, event))).get(10, TimeUnit.SECONDS);
    }

    @Test
    void trendsRollUpByHourWithCountWeightedMeans() throws Exception {
        String topic = unique("rollup");
        String run = unique("run");
        Instant hour = Instant.parse("2025-03-04T10:00:00Z");
        insertTrend(run, topic, hour, 10, 2, -0.5);
        insertTrend(run, topic, hour.plusSeconds(60), 30, 3, 0.5);
        insertTrend(run, topic, hour.plusSeconds(3600), 5, 5, -1.0);
        String key = newAnalyst("erin").key();
        String range = "&from=2025-03-04T00:00:00Z&to=2025-03-05T00:00:00Z&run=" + run;

        call(key, "GET", "/v1/trends?topic=" + topic + range, null).then().statusCode(200).body("size()", equalTo(3))
                .body("[0].keySet()", containsInAnyOrder("window_start", "window_size_ms", "count", "negative", "neutral",
                        "positive", "mean_score", "score_stddev", "mean_p_negative"));
        Response hourly = call(key, "GET", "/v1/trends?topic=" + topic + range + "&resolution=hour", null);
        hourly.then().statusCode(200).body("size()", equalTo(2)).body("[0].count", equalTo(40)).body("[0].negative", equalTo(5))
                .body("[0].window_start", equalTo("2025-03-04T10:00:00Z")).body("[1].count", equalTo(5));
        assertThat(hourly.jsonPath().getDouble("[0].mean_score")).isCloseTo((10 * -0.5 + 30 * 0.5) / 40, org.assertj.core.api.Assertions.within(1e-9));
        call(key, "GET", "/v1/trends?topic=" + topic + range + "&resolution=day", null).then().statusCode(200).body("size()", equalTo(1))
                .body("[0].count", equalTo(45));
        call(key, "GET", "/v1/runs", null).then().statusCode(200).body("find { it.run_id == '" + run + "' }.trend_windows", equalTo(3));
        call(key, "GET", "/v1/topics/summary?from=2025-03-04T00:00:00Z&to=2025-03-05T00:00:00Z&run=" + run, null).then().statusCode(200)
                .body("find { it.topic == '" + topic + "' }.count", equalTo(45))
                .body("find { it.topic == '" + topic + "' }.series.size()", equalTo(2));
    }

    @Test
    void theOpenApiDocumentDescribesTheAnswers() throws Exception {
        JsonNode doc = new ObjectMapper().readTree(given().get("/q/openapi?format=json").then().statusCode(200).extract().asString());
        JsonNode schemas = doc.at("/components/schemas");
        List<String> names = new java.util.ArrayList<>();
        schemas.fieldNames().forEachRemaining(names::add);
        assertThat(names).contains("SubscriptionView", "Silence", "Alert", "AlertChange", "Trend", "RunSummary", "TopicView", "TopicSummary",
                "Analyst", "KeyOwner", "CreatedAnalyst");
        JsonNode alert = doc.at("/paths/~1v1~1alerts~1{id}/get/responses/200/content/application~1json/schema");
        assertThat(alert.toString()).as("%s", doc.at("/paths/~1v1~1alerts~1{id}")).contains("AlertWithHistory");
        assertThat(doc.at("/paths/~1v1~1subscriptions/get/responses/200/content/application~1json/schema/items/$ref").asText())
                .isEqualTo("#/components/schemas/SubscriptionView");
        assertThat(doc.at("/paths/~1v1~1subscriptions/post/responses/201/content/application~1json/schema/$ref").asText())
                .isEqualTo("#/components/schemas/SubscriptionView");
        assertThat(schemas.at("/SubscriptionView/properties").has("min_severity")).isTrue();
        assertThat(schemas.at("/AlertWithHistory").toString()).as("%s", schemas.at("/AlertWithHistory")).contains("alert_id").contains("history");
    }

    private static void insertTrend(String run, String topic, Instant start, long count, long negative, double mean) throws Exception {
        TestSupport.insertWindows(JDBC, USER, run, List.of(new TrendPoint(topic, start.toEpochMilli(), TestSupport.MINUTE, count, negative,
                count - negative, 0, mean, 0.1)));
    }

    private static String insertAlert(String topic, String ruleSet) throws Exception {
        String id = unique("alert");
        Instant now = Instant.now();
        AlertingStore.jdbi(JDBC, USER).onDemand(AlertTable.class).upsertAlert(new AlertTable.Change(id, "live", ruleSet, "NEGATIVE_SHARE", topic,
                "WARNING", "FIRING", now, null, null, now, 60_000, 0.8, 0.1, 0.3, "test alert", null));
        return id;
    }
}
