package io.finsent.alerting.service;

import static io.finsent.alerting.service.TestSupport.ADMIN_KEY;
import static io.finsent.alerting.service.TestSupport.MINUTE;
import static io.finsent.alerting.service.TestSupport.bytes;
import static io.finsent.alerting.service.TestSupport.scored;
import static io.finsent.alerting.service.TestSupport.unique;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.finsent.alerting.store.AlertTable;
import io.finsent.alerting.store.AlertingStore;
import io.finsent.alerting.store.OutboxTable;
import io.finsent.alerting.trends.ScoredTopics;
import io.finsent.alerting.trends.TrendPoint;
import io.finsent.common.Topics;
import io.finsent.local.testing.LocalStackTestResource;
import io.finsent.local.testing.SharedLocalStack;
import io.finsent.notify.PayloadCompleter;
import io.finsent.schema.AlertEvent;
import io.finsent.schema.AlertState;
import io.finsent.schema.ScoredText;
import io.finsent.schema.Sentiment;
import io.finsent.schema.Severity;
import io.finsent.schema.TopicTrendWindow;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * An alert's evidence against a real broker and PostgreSQL: a run's surge windows fire the default rules, its texts are
 * stored by the scored text sink, and {@code GET /v1/alerts/{id}} shows the texts of the windows that drove each rule (the
 * most negative first for a tone rule, the busiest sources first for volume), none from outside them, with the counts and
 * the numbers that crossed; a webhook payload and the alert stream carry the first five.
 */
@QuarkusTest
@QuarkusTestResource(LocalStackTestResource.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class AlertEvidenceIntegrationTest {

    @Inject
    ObjectMapper json;

    @Inject
    AlertingConfig config;

    @TestHTTPResource("/v1/alerts/stream")
    URL streamUrl;

    private static final String BOOTSTRAP = SharedLocalStack.get().bootstrapServers();
    private static final AlertTable ALERTS = AlertingStore.jdbi(SharedLocalStack.get().jdbcUrl(), SharedLocalStack.get().jdbcUser())
            .onDemand(AlertTable.class);

    @Test
    void aSurgesAlertsShowTheTextsOfTheirWindows() throws Exception {
        // Given a run (a replay's topics) whose surge on a topic starts at minute 15, and texts in and around it
        String run = unique("ev");
        String topic = unique("surge");
        long start = Instant.parse("2015-06-01T00:00:00Z").toEpochMilli();
        long surge = start + 15 * MINUTE;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, BOOTSTRAP))) {
            admin.createTopics(List.of(new NewTopic(ScoredTopics.of(run), 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        publish(run, text("before", topic, surge - 30_000, "wire-a", 0.99));
        publish(run, text("a1", topic, surge + 1_000, "wire-a", 0.70));
        publish(run, text("a2", topic, surge + 2_000, "wire-a", 0.95));
        publish(run, text("b1", topic, surge + 3_000, "blog-b", 0.80));
        publish(run, text("a3", topic, surge + 4_000, "wire-a", 0.60));
        publish(run, text("c1", topic, surge + 5_000, "feed-c", 0.90));
        publish(run, text("b2", topic, surge + 6_000, "blog-b", 0.10));
        publish(run, text("after", topic, start + 25 * MINUTE, "wire-a", 0.98));
        for (TrendPoint w : TestSupport.surgeAndCalm(topic, unique("calm"), start)) {
            TestSupport.publishWindow(BOOTSTRAP, TopicTrendWindow.newBuilder().setRunId(run).setTopic(w.topic())
                    .setWindowStart(Instant.ofEpochMilli(w.windowStart())).setWindowSizeMs(w.windowSizeMs()).setCount(w.count())
                    .setNegative(w.negative()).setNeutral(w.neutral()).setPositive(w.positive()).setMeanScore(w.meanScore())
                    .setScoreStddev(w.scoreStddev()).setMeanPNegative(w.negativeShare()).build());
        }

        // When the rules fire on it
        TestSupport.await("fired negative share and volume alerts", Duration.ofSeconds(60), () -> fired(run, topic).stream()
                .map(AlertTable.Alert::rule).toList().containsAll(List.of("NEGATIVE_SHARE", "VOLUME_SPIKE")));

        // Then each alert's evidence is the texts of its windows, ordered for its rule
        for (AlertTable.Alert alert : fired(run, topic)) {
            JsonPath evidence = evidence(alert.alertId());
            Instant from = Instant.parse(evidence.getString("from"));
            Instant to = Instant.parse(evidence.getString("to"));
            // from the start of the window it went pending in (started_at is that window's end) to the end of the one it fired in
            assertThat(from).isEqualTo(alert.startedAt().minusMillis(MINUTE)).isEqualTo(Instant.ofEpochMilli(surge));
            assertThat(to).isEqualTo(alert.firedAt()).isAfter(from).isBefore(Instant.ofEpochMilli(start + 25 * MINUTE));
            assertThat(evidence.getLong("texts_in_windows")).isEqualTo(6);
            assertThat(evidence.getLong("distinct_sources")).isEqualTo(3);
            // the numbers that crossed: the firing transition's, not the resolved alert's latest
            JsonPath history = given().header("X-Api-Key", ADMIN_KEY).get("/v1/alerts/" + alert.alertId()).then().extract().jsonPath();
            assertThat(evidence.getDouble("observed")).isEqualTo(history.getDouble("history.find { it.state == 'FIRING' }.observed"));
            assertThat(evidence.getDouble("threshold")).isEqualTo(history.getDouble("history.find { it.state == 'FIRING' }.threshold"));
            assertThat(evidence.getString("rule")).isEqualTo(alert.rule());
            List<String> ids = evidence.getList("texts.id", String.class);
            List<String> expected = alert.rule().equals("VOLUME_SPIKE")
                    ? List.of("a1", "b1", "c1", "a2", "b2", "a3") // each source's first text, the busiest source first
                    : List.of("a2", "c1", "b1", "a1", "a3", "b2"); // the most negative first
            assertThat(ids).as("%s evidence", alert.rule()).containsExactlyElementsOf(expected.stream().map(id -> topic + "-" + id).toList());
            assertThat(evidence.getString("texts[0].url")).startsWith("https://news.example.com/");
            assertThat(evidence.getString("texts[0].source")).isNotBlank();
            // these made-up windows counted 150 texts a minute, of which 6 exist: the evidence says it is not complete
            assertThat(evidence.getBoolean("complete")).isFalse();
        }

        // And a webhook notification of the tone alert waits for the missing texts, then goes with the first five in brief
        AlertTable.Alert tone = fired(run, topic).stream().filter(a -> a.rule().equals("NEGATIVE_SHARE")).findFirst().orElseThrow();
        List<String> top5 = evidence(tone.alertId()).getList("texts.id", String.class).subList(0, 5);
        EvidencePayloads payloads = new EvidencePayloads(AlertingStore.jdbi(SharedLocalStack.get().jdbcUrl(), SharedLocalStack.get().jdbcUser()),
                json, Clock.systemUTC(), config.texts());
        String payload = "{\"alert_id\": \"" + tone.alertId() + "\", \"state\": \"FIRING\", \"event_time\": \"" + tone.firedAt() + "\"}";
        assertThat(payloads.complete(claimed(payload, Instant.now()))).isInstanceOf(PayloadCompleter.Postpone.class);
        PayloadCompleter.Completion late = payloads.complete(claimed(payload, Instant.now().minus(config.texts().evidenceWait())));
        JsonPath sent = new JsonPath(((PayloadCompleter.Ready) late).payload());
        assertThat(sent.getString("alert_id")).isEqualTo(tone.alertId());
        assertThat(sent.getList("evidence.texts.id", String.class)).containsExactlyElementsOf(top5);
        assertThat(sent.getBoolean("evidence.complete")).isFalse();
        assertThat(sent.getLong("evidence.texts_in_windows")).isEqualTo(6);
        assertThat(sent.getString("evidence.texts[0].url")).isEqualTo("https://news.example.com/a2");
        assertThat(sent.getMap("evidence.texts[0]")).doesNotContainKey("body");
        // a payload that is not an alert's goes as it was written
        assertThat(payloads.complete(claimed("{\"alert_id\": \"no-such-alert\"}", Instant.now()))).isEqualTo(new PayloadCompleter.Ready("{\"alert_id\": \"no-such-alert\"}"));
        assertThat(payloads.complete(claimed("not json", Instant.now()))).isEqualTo(new PayloadCompleter.Ready("not json"));

        // And the alert stream sends the change with the same evidence, once evidence-wait has passed
        TestSupport.Listener admin = TestSupport.listen(streamUrl, ADMIN_KEY);
        TestSupport.await("the tone alert's change with its evidence on the stream", Duration.ofSeconds(60), () -> {
            if (admin.seen().stream().noneMatch(l -> l.contains(tone.alertId()))) {
                publishChange(tone);
                Thread.sleep(1000);
            }
            return admin.seen().stream().anyMatch(l -> l.contains(tone.alertId()) && l.contains("evidence"));
        });
        String line = admin.seen().stream().filter(l -> l.contains(tone.alertId())).findFirst().orElseThrow();
        JsonPath streamed = new JsonPath(line.substring("data:".length()));
        assertThat(streamed.getList("evidence.texts.id", String.class)).containsExactlyElementsOf(top5);
        assertThat(streamed.getString("evidence.rule")).isEqualTo("NEGATIVE_SHARE");
    }

    private static OutboxTable.Claimed claimed(String payload, Instant createdAt) {
        return new OutboxTable.Claimed(1, "key", 1, "webhook", "https://hooks.example.com/", payload, 1, createdAt);
    }

    /** The alert's firing change on alert.events, as the trend sink publishes it. */
    private static void publishChange(AlertTable.Alert a) throws Exception {
        AlertEvent event = AlertEvent.newBuilder().setAlertId(a.alertId()).setRunId(a.runId()).setRuleSet(a.ruleSet()).setRule(a.rule())
                .setTopic(a.topic()).setSeverity(Severity.valueOf(a.severity())).setState(AlertState.FIRING)
                .setWindowStart(a.firedAt().minusMillis(a.windowSizeMs())).setWindowSizeMs(a.windowSizeMs()).setObserved(a.observed())
                .setBaseline(a.baseline()).setThreshold(a.threshold()).setMessage("test").setEventTime(a.firedAt()).build();
        TestSupport.producer(BOOTSTRAP).send(new ProducerRecord<>(Topics.ALERT_EVENTS.name(), a.alertId().getBytes(),
                bytes(Topics.ALERT_EVENTS, event))).get(10, TimeUnit.SECONDS);
    }

    /** The run's alerts of the topic that fired (resolved by now: the run's windows go on past the surge). */
    private static List<AlertTable.Alert> fired(String run, String topic) {
        return ALERTS.visible(run, null, null, topic, 100).stream().filter(a -> a.firedAt() != null).toList();
    }

    /** The alert's evidence once the sink has stored all six texts of its windows. */
    private static JsonPath evidence(String alertId) throws Exception {
        String[] last = new String[1];
        try {
            TestSupport.await("six texts in the evidence of " + alertId, Duration.ofSeconds(60), () -> {
                last[0] = given().header("X-Api-Key", ADMIN_KEY).get("/v1/alerts/" + alertId).then().statusCode(200).extract().asString();
                return new JsonPath(last[0]).getLong("evidence.texts_in_windows") == 6;
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; the alert: " + last[0], e);
        }
        return new JsonPath(last[0]).setRootPath("evidence");
    }

    private static ScoredText text(String id, String topic, long at, String source, double pNegative) {
        ScoredText t = scored(topic + "-" + id, topic, at, pNegative > 0.5 ? Sentiment.NEGATIVE : Sentiment.NEUTRAL, pNegative, (1 - pNegative) / 2);
        t.setSource(source);
        t.setUrl("https://news.example.com/" + id);
        t.setBody("text " + id);
        return t;
    }

    private static void publish(String run, ScoredText t) throws Exception {
        TestSupport.producer(BOOTSTRAP).send(new ProducerRecord<>(ScoredTopics.of(run), 0, t.getPublishedAt().toEpochMilli(), t.getId().getBytes(),
                bytes(Topics.SCORED_TEXT, t))).get(30, TimeUnit.SECONDS);
    }
}
