package io.finsent.alerting.service;

import static io.finsent.alerting.service.TestSupport.MINUTE;
import static io.finsent.alerting.service.TestSupport.newAnalyst;
import static io.finsent.alerting.service.TestSupport.publishWindow;
import static io.finsent.alerting.service.TestSupport.scored;
import static io.finsent.alerting.service.TestSupport.subscribe;
import static io.finsent.alerting.service.TestSupport.unique;
import static io.finsent.alerting.service.TestSupport.window;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.finsent.alerting.rules.RuleParams;
import io.finsent.alerting.store.AlertingStore;
import io.finsent.alerting.store.fixtures.AlertingFixture;
import io.finsent.common.Topics;
import io.finsent.local.testing.LocalStackTestResource;
import io.finsent.local.testing.SharedLocalStack;
import io.finsent.schema.AlertEvent;
import io.finsent.schema.DeadLetter;
import io.finsent.schema.Sentiment;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The trend path against a real broker and PostgreSQL: scored texts become trend rows (out-of-order texts within
 * the grace counted, later ones not), a redelivered window changes nothing, a negative surge fires an alert that
 * is notified to subscribers (not to a silenced one, never for a replay run), and garbage on topic.trends is a
 * dead letter while the sink goes on.
 */
@QuarkusTest
@QuarkusTestResource(LocalStackTestResource.class)
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class TrendSinkIntegrationTest {

    private static final String BOOTSTRAP = SharedLocalStack.get().bootstrapServers();
    private static final String JDBC = SharedLocalStack.get().jdbcUrl();
    private static final String USER = SharedLocalStack.get().jdbcUser();

    /** What the sink wrote, read through the store's test fixture. */
    private static final AlertingFixture DB = AlertingStore.jdbi(JDBC, USER).onDemand(AlertingFixture.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static long windows(String run, String topic) {
        return DB.windows(topic).stream().filter(w -> run == null || w.runId().equals(run)).count();
    }

    private static long statesAt(String run, String topic, long lastWindowStart) {
        return DB.ruleStates(topic).stream().filter(r -> (run == null || r.runId().equals(run)) && r.lastWindowStart() == lastWindowStart).count();
    }

    private static String payloadField(AlertingFixture.Notification n, String field) {
        try {
            return JSON.readTree(n.payload()).path(field).asText(null);
        } catch (java.io.IOException e) {
            throw new AssertionError("outbox payload is not JSON: " + n.payload(), e);
        }
    }

    @Test
    void scoredTextsBecomeTrendRowsAndARedeliveryChangesNothing() throws Exception {
        String topic = unique("pipe");
        long base = System.currentTimeMillis() / MINUTE * MINUTE - 60 * MINUTE;
        // Given window 0: 3 negative and 2 positive texts; window 1: 4 neutral ones
        int n = 0;
        for (int i = 0; i < 3; i++) {
            TestSupport.publishScored(BOOTSTRAP, scored(topic + "-" + n++, topic, base + 1000 * i, Sentiment.NEGATIVE, 0.9, 0.05));
        }
        for (int i = 0; i < 2; i++) {
            TestSupport.publishScored(BOOTSTRAP, scored(topic + "-" + n++, topic, base + 5000 + 1000 * i, Sentiment.POSITIVE, 0.05, 0.9));
        }
        for (int i = 0; i < 4; i++) {
            TestSupport.publishScored(BOOTSTRAP, scored(topic + "-" + n++, topic, base + MINUTE + 5_000 * i, Sentiment.NEUTRAL, 0.1, 0.1));
        }
        // When a window-0 text arrives out of order but within the grace (stream time is 1m15s, window 0 closes at 1m30s),
        // then one of window 2
        TestSupport.publishScored(BOOTSTRAP, scored(topic + "-ooo", topic, base + 30_000, Sentiment.NEGATIVE, 0.9, 0.05));
        TestSupport.publishScored(BOOTSTRAP, scored(topic + "-w2", topic, base + 2 * MINUTE + 10_000, Sentiment.NEUTRAL, 0.1, 0.1));

        // Then windows 0..2 close once every partition has passed 3m30s (a quiet partition stops holding after idle-after)
        TestSupport.await("three trend rows", Duration.ofSeconds(120), () -> {
            TestSupport.publishScored(BOOTSTRAP, scored(unique(topic + "-closer"), topic, base + 5 * MINUTE, Sentiment.NEUTRAL, 0.1, 0.1));
            return windows("live", topic) >= 3;
        });
        List<AlertingFixture.Window> rows = trendRows(topic);
        assertThat(rows).hasSize(3);
        assertThat(rows.get(0)).extracting("count", "negative", "positive", "neutral").containsExactly(6L, 4L, 2L, 0L);
        assertThat(rows.get(0).meanScore()).isCloseTo((4 * -0.85 + 2 * 0.85) / 6, within(1e-6));
        assertThat(rows.get(0).meanPNegative()).isCloseTo((4 * 0.9 + 2 * 0.05) / 6, within(1e-6));
        assertThat(rows.get(1)).extracting("count", "neutral").containsExactly(4L, 4L);
        assertThat(rows.get(1).scoreStddev()).isCloseTo(0, within(1e-9));
        assertThat(rows.get(2).count()).isEqualTo(1L);

        // When a window-0 text comes after the window closed
        TestSupport.publishScored(BOOTSTRAP, scored(topic + "-late", topic, base + 10_000, Sentiment.NEGATIVE, 0.9, 0.05));
        // Then it is a dead letter of the topology, with its original key, in no trend window, and in the late metric
        List<ConsumerRecord<byte[], byte[]>> dlq = TestSupport.readUntil(BOOTSTRAP, Topics.DEAD_LETTERS.name(), Duration.ofSeconds(20),
                read -> read.stream().anyMatch(r -> r.key() != null && new String(r.key()).equals(topic + "-late")));
        assertThat(dlq).anyMatch(r -> r.key() != null && new String(r.key()).equals(topic + "-late"));
        assertThat(trendRows(topic).subList(0, 3)).isEqualTo(rows);
        assertThat(given().get("/q/metrics").then().statusCode(200).extract().asString())
                .containsPattern("(?m)^finsent_alerting_late_texts_total(\\{[^}]*\\})? [1-9]");

        // When every trend record of the topic is delivered again
        String prefix = "live|" + topic + "|";
        List<ConsumerRecord<byte[], byte[]>> trends = TestSupport.readUntil(BOOTSTRAP, Topics.TOPIC_TRENDS.name(), Duration.ofSeconds(20),
                read -> read.stream().filter(r -> r.key() != null && new String(r.key()).startsWith(prefix)).count() >= 3);
        List<ConsumerRecord<byte[], byte[]>> ours = trends.stream().filter(r -> r.key() != null && new String(r.key()).startsWith(prefix)).toList();
        assertThat(ours).hasSize(3);
        long eventsBefore = DB.alertEvents(topic).size();
        for (ConsumerRecord<byte[], byte[]> r : ours) {
            TestSupport.publishTrendBytes(BOOTSTRAP, "live", topic, new String(r.key()), r.value());
        }
        // ... followed by a new window of the topic (same partition, so it is written after the redeliveries)
        long marker = base + 10 * MINUTE;
        publishWindow(BOOTSTRAP, window("live", topic, marker, 1, 0));
        TestSupport.await("the marker window", Duration.ofSeconds(30),
                () -> DB.windows(topic).stream().filter(w -> w.windowStart().toEpochMilli() == marker).count() == 1);

        // Then the rows are exactly as before: nothing counted twice, no alert event added
        assertThat(trendRows(topic).subList(0, 3)).isEqualTo(rows);
        assertThat((long) DB.alertEvents(topic).size()).isEqualTo(eventsBefore);
        assertThat(statesAt("live", topic, marker)).isEqualTo(1);
    }

    @Test
    void aSurgeFiresAnAlertNotifiedToSubscribersButNotToSilencedOnesNorForReplays() throws Exception {
        String topic = unique("surge");
        String replay = unique("replay");
        TestSupport.Analyst alice = newAnalyst("alice");
        TestSupport.Analyst bob = newAnalyst("bob");
        TestSupport.Analyst carol = newAnalyst("carol");
        TestSupport.Analyst eve = newAnalyst("eve");
        long aliceSub = subscribe(alice, "{\"topic\": \"" + topic + "\", \"min_severity\": \"INFO\", \"webhook_url\": \"https://hooks.example.com/alice\"}");
        long bobSub = subscribe(bob, "{\"topic\": \"*\", \"min_severity\": \"INFO\", \"webhook_url\": \"https://hooks.example.com/bob\"}");
        long carolSub = subscribe(carol, "{\"topic\": \"" + unique("other") + "\", \"min_severity\": \"INFO\", \"webhook_url\": \"https://hooks.example.com/carol\"}");
        given().header("X-Api-Key", bob.key()).contentType("application/json")
                .body("{\"topic\": \"" + topic + "\", \"ends_at\": \"" + Instant.now().plusSeconds(3600) + "\", \"comment\": \"known: earnings call\"}")
                .post("/v1/silences").then().statusCode(201);

        // (rule sets apply to every run: default and eve's below, in live and in the replay)
        // Given ten ordinary windows (10 % negative), in the live run and in a replay
        long base = System.currentTimeMillis() / MINUTE * MINUTE - 180 * MINUTE;
        List<long[]> windows = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            windows.add(new long[] {base + i * MINUTE, 20, 2});
        }
        for (long[] w : windows) {
            publishWindow(BOOTSTRAP, window("live", topic, w[0], w[1], w[2]));
            publishWindow(BOOTSTRAP, window(replay, topic, w[0], w[1], w[2]));
        }
        TestSupport.await("ten live windows", Duration.ofSeconds(30),
                () -> windows("live", topic) == 10);
        // ... and an analyst whose overrides make a rule set new to the topic: it starts from the stored history
        String overrides = "{\"negativeShareSigmas\": 2.5}";
        long eveSub = subscribe(eve, "{\"topic\": \"" + topic + "\", \"rule_params\": " + overrides + ", \"webhook_url\": \"https://hooks.example.com/eve\"}");
        String eveRuleSet = RuleParams.fromJson(overrides).id();

        // When six windows are 80 % negative, then four ordinary ones follow
        List<long[]> rest = new ArrayList<>();
        for (int i = 10; i < 16; i++) {
            rest.add(new long[] {base + i * MINUTE, 20, 16});
        }
        for (int i = 16; i < 20; i++) {
            rest.add(new long[] {base + i * MINUTE, 20, 2});
        }
        for (long[] w : rest) {
            publishWindow(BOOTSTRAP, window("live", topic, w[0], w[1], w[2]));
            publishWindow(BOOTSTRAP, window(replay, topic, w[0], w[1], w[2]));
        }
        TestSupport.await("twenty windows in both runs", Duration.ofSeconds(30),
                () -> windows(null, topic) == 40 && statesAt(null, topic, base + 19 * MINUTE) == 4);

        // Then the negative-share alert went PENDING, FIRING, RESOLVED, under the default rule set
        List<AlertingFixture.Alert> alerts = DB.alerts(topic).stream()
                .filter(a -> a.runId().equals("live") && a.ruleSet().equals("default") && a.rule().equals("NEGATIVE_SHARE")).toList();
        assertThat(alerts).hasSize(1);
        String alertId = alerts.get(0).alertId();
        assertThat(alerts.get(0).state()).isEqualTo("RESOLVED");
        assertThat(DB.alertEvents(topic)).filteredOn(e -> e.alertId().equals(alertId))
                .extracting(AlertingFixture.AlertEvent::state).containsExactly("PENDING", "FIRING", "RESOLVED");
        List<AlertingFixture.Notification> outbox = DB.notifications();

        // ... notified to alice: fired, repeated after 3 minutes of event time (test repeat interval), resolved
        assertThat(outbox).filteredOn(o -> o.subscriptionId() == aliceSub && alertId.equals(payloadField(o, "alert_id")))
                .extracting(AlertingFixture.Notification::idempotencyKey)
                .containsExactly(alertId + ":FIRING:" + aliceSub, alertId + ":FIRING:" + aliceSub + ":repeat1", alertId + ":RESOLVED:" + aliceSub);
        AlertingFixture.Notification fired = outbox.stream().filter(o -> o.idempotencyKey().equals(alertId + ":FIRING:" + aliceSub)).findFirst()
                .orElseThrow();
        assertThat(fired).extracting("target", "status", "analystId", "channel")
                .containsExactly("https://hooks.example.com/alice", "pending", alice.id(), "webhook");
        assertThat(fired.payload()).contains("\"state\": \"FIRING\"").contains("\"topic\": \"" + topic + "\"")
                .contains("/v1/alerts/" + alertId).contains("NEGATIVE_SHARE firing");
        // ... never to bob (silenced on this topic) nor carol (another topic)
        assertThat(outbox).filteredOn(o -> (o.subscriptionId() == bobSub || o.subscriptionId() == carolSub) && topic.equals(payloadField(o, "topic")))
                .isEmpty();
        // ... and eve's rule set, warmed with the ten stored windows, fired too, for her
        assertThat(DB.alerts(topic)).filteredOn(a -> a.runId().equals("live") && a.ruleSet().equals(eveRuleSet) && a.firedAt() != null)
                .isNotEmpty();
        assertThat(outbox).filteredOn(o -> o.subscriptionId() == eveSub && o.idempotencyKey().contains(":FIRING:")).isNotEmpty();
        assertThat(outbox).filteredOn(o -> o.subscriptionId() == eveSub && !eveRuleSet.equals(payloadField(o, "rule_set"))).isEmpty();

        // The replay recorded the same alert lifecycle, and notified nobody
        assertThat(DB.alertEvents(topic)).filteredOn(e -> e.runId().equals(replay) && e.rule().equals("NEGATIVE_SHARE") && e.ruleSet().equals("default"))
                .extracting(AlertingFixture.AlertEvent::state).containsExactly("PENDING", "FIRING", "RESOLVED");
        assertThat(DB.notifications()).filteredOn(o -> replay.equals(payloadField(o, "run_id"))).isEmpty();

        // The live changes were published to alert.events, the replay's were not
        List<AlertEvent> events = TestSupport.readUntil(BOOTSTRAP, Topics.ALERT_EVENTS.name(), Duration.ofSeconds(20),
                        read -> read.stream().filter(r -> new String(r.key()).equals(alertId)).count() >= 3).stream()
                .map(r -> Topics.ALERT_EVENTS.valueSerde().deserializer().deserialize(r.topic(), r.value()))
                .filter(e -> e.getTopic().equals(topic)).toList();
        assertThat(events).filteredOn(e -> e.getAlertId().equals(alertId)).extracting(e -> e.getState().name())
                .containsExactly("PENDING", "FIRING", "RESOLVED");
        assertThat(events).noneMatch(e -> e.getRunId().equals(replay));
    }

    @Test
    void garbageOnTopicTrendsIsADeadLetterAndTheSinkGoesOn() throws Exception {
        String topic = unique("garbage");
        byte[] garbage = {(byte) 0xC3, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x10, 0x11};
        String key = "live|" + topic + "|0|60000";
        TestSupport.publishTrendBytes(BOOTSTRAP, "live", topic, key, garbage);
        long start = System.currentTimeMillis() / MINUTE * MINUTE - 30 * MINUTE;
        publishWindow(BOOTSTRAP, window("live", topic, start, 7, 1));

        TestSupport.await("the window after the garbage", Duration.ofSeconds(30),
                () -> windows(null, topic) == 1);
        List<ConsumerRecord<byte[], byte[]>> dlq = TestSupport.readUntil(BOOTSTRAP, Topics.DEAD_LETTERS.name(), Duration.ofSeconds(20),
                read -> read.stream().anyMatch(r -> r.key() != null && new String(r.key()).equals(key)));
        DeadLetter letter = dlq.stream().filter(r -> r.key() != null && new String(r.key()).equals(key))
                .map(r -> Topics.DEAD_LETTERS.valueSerde().deserializer().deserialize(r.topic(), r.value())).findFirst().orElseThrow();
        assertThat(letter.getStage()).isEqualTo(AlertingProducer.SINK_STAGE);
        assertThat(letter.getOriginalTopic()).isEqualTo(Topics.TOPIC_TRENDS.name());
        assertThat(letter.getOriginalValue()).isEqualTo(ByteBuffer.wrap(garbage));
        assertThat(letter.getReason()).isNotBlank();
        assertThat(DB.windows(topic).get(0).count()).isEqualTo(7L);
    }

    /** The topic's live windows (one size here), by start. */
    private static List<AlertingFixture.Window> trendRows(String topic) {
        return DB.windows(topic).stream().filter(w -> w.runId().equals("live")).toList();
    }
}
