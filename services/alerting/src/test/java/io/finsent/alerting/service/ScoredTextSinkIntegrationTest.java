package io.finsent.alerting.service;

import static io.finsent.alerting.service.TestSupport.bytes;
import static io.finsent.alerting.service.TestSupport.scored;
import static io.finsent.alerting.service.TestSupport.unique;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.finsent.alerting.store.AlertingStore;
import io.finsent.alerting.store.ScoredTextTable;
import io.finsent.alerting.store.TrendWindowTable;
import io.finsent.alerting.trends.ScoredTopics;
import io.finsent.common.Topics;
import io.finsent.local.testing.LocalStackTestResource;
import io.finsent.local.testing.SharedLocalStack;
import io.finsent.schema.DeadLetter;
import io.finsent.schema.ScoredText;
import io.finsent.schema.Sentiment;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The scored text sink against a real broker and PostgreSQL: live texts are stored with their link, text, labels and
 * topics, a redelivery changes nothing, a replay's topic made after the start is found and stored under its run, and
 * garbage or a text PostgreSQL refuses is a dead letter with its original bytes while the sink goes on.
 */
@QuarkusTest
@QuarkusTestResource(LocalStackTestResource.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ScoredTextSinkIntegrationTest {

    private static final String BOOTSTRAP = SharedLocalStack.get().bootstrapServers();
    /**
     * Long past: late for the trend topology (a dead letter there), so no other test's texts become late behind them (their
     * windows close on the watermark of text.scored's partitions).
     */
    private static final long PAST = Instant.parse("2015-05-04T09:00:00Z").toEpochMilli();
    private static final ScoredTextTable TEXTS = AlertingStore.jdbi(SharedLocalStack.get().jdbcUrl(), SharedLocalStack.get().jdbcUser())
            .onDemand(ScoredTextTable.class);

    private static List<ScoredTextTable.Text> ofTopic(String run, String topic) {
        return TEXTS.ofTopic(run, topic, TrendWindowTable.NO_START, TrendWindowTable.NO_END, 1000);
    }

    @Test
    void liveTextsAreStoredOnceWithTheirLinkTextAndTopics() throws Exception {
        String topic = unique("texts");
        long at = PAST;
        ScoredText first = withLink(scored(topic + "-1", topic, at, Sentiment.NEGATIVE, 0.91, 0.04), "https://news.example.com/a?x=1",
                "Regulator grounds the newest jet after a second incident");
        ScoredText second = scored(topic + "-2", topic, at + 1000, Sentiment.POSITIVE, 0.02, 0.95);
        TestSupport.publishScored(BOOTSTRAP, first);
        TestSupport.publishScored(BOOTSTRAP, second);

        TestSupport.await("two stored texts", Duration.ofSeconds(60), () -> ofTopic("live", topic).size() == 2);
        List<ScoredTextTable.Text> stored = ofTopic("live", topic);
        assertThat(stored).containsExactly(ScoredTextTable.Text.of(first), ScoredTextTable.Text.of(second));
        ScoredTextTable.Text one = stored.get(0);
        assertThat(one.url()).isEqualTo("https://news.example.com/a?x=1");
        assertThat(one.body()).isEqualTo("Regulator grounds the newest jet after a second incident");
        assertThat(one.label()).isEqualTo("NEGATIVE");
        assertThat(one.pNegative()).isEqualTo(0.91);
        assertThat(one.publishedAt()).isEqualTo(Instant.ofEpochMilli(at));
        assertThat(TEXTS.search("live", "regulator grounds jets", 10)).containsExactly(one);

        // When both are delivered again, the first one changed (a redelivery must not overwrite), then a marker text
        TestSupport.publishScored(BOOTSTRAP, first);
        TestSupport.publishScored(BOOTSTRAP, withLink(scored(topic + "-2", topic, at + 1000, Sentiment.NEGATIVE, 0.99, 0.0), null, "other"));
        TestSupport.publishScored(BOOTSTRAP, scored(topic + "-3", topic, at + 2000, Sentiment.NEUTRAL, 0.1, 0.1));
        TestSupport.await("the marker text", Duration.ofSeconds(60), () -> ofTopic("live", topic).size() == 3);
        // Then nothing is doubled or changed
        assertThat(ofTopic("live", topic).subList(0, 2)).isEqualTo(stored);
        assertThat(given().get("/q/metrics").then().statusCode(200).extract().asString())
                .containsPattern("(?m)^finsent_alerting_texts_written_total(\\{[^}]*\\})? [1-9]");
        given().get("/q/health/ready").then().statusCode(200);
    }

    @Test
    void aReplaysTopicMadeAfterTheStartIsStoredUnderItsRun() throws Exception {
        String run = unique("r");
        String topic = unique("replayed");
        String replayTopic = ScoredTopics.of(run);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, BOOTSTRAP))) {
            admin.createTopics(List.of(new NewTopic(replayTopic, 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        long at = PAST;
        for (int i = 0; i < 5; i++) {
            ScoredText t = scored(topic + "-" + i, topic, at + i * 1000L, Sentiment.NEGATIVE, 0.8, 0.1);
            TestSupport.producer(BOOTSTRAP).send(new ProducerRecord<>(replayTopic, i % 2, t.getPublishedAt().toEpochMilli(), t.getId().getBytes(),
                    bytes(Topics.SCORED_TEXT, t))).get(30, TimeUnit.SECONDS);
        }
        TestSupport.await("the replay's five texts", Duration.ofSeconds(90), () -> ofTopic(run, topic).size() == 5);
        assertThat(ofTopic("live", topic)).as("nothing of the replay under live").isEmpty();
    }

    @Test
    void garbageAndATextPostgresRefusesAreDeadLettersAndTheSinkGoesOn() throws Exception {
        String topic = unique("badtexts");
        long at = PAST;
        byte[] garbage = {(byte) 0xC3, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x10, 0x11};
        String garbageKey = topic + "-garbage";
        TestSupport.producer(BOOTSTRAP).send(new ProducerRecord<>(Topics.SCORED_TEXT.name(), 0, at, garbageKey.getBytes(), garbage))
                .get(30, TimeUnit.SECONDS);
        // A NUL character: valid Avro, but PostgreSQL text cannot hold it
        ScoredText nul = withLink(scored(topic + "-nul", topic, at + 1000, Sentiment.NEUTRAL, 0.1, 0.1), null, "before\u0000after");
        TestSupport.publishScored(BOOTSTRAP, nul);
        ScoredText good = scored(topic + "-good", topic, at + 2000, Sentiment.NEUTRAL, 0.1, 0.1);
        TestSupport.publishScored(BOOTSTRAP, good);

        TestSupport.await("the good text", Duration.ofSeconds(60), () -> ofTopic("live", topic).size() == 1);
        assertThat(ofTopic("live", topic)).extracting(ScoredTextTable.Text::textId).containsExactly(good.getId());
        List<ConsumerRecord<byte[], byte[]>> dlq = TestSupport.readUntil(BOOTSTRAP, Topics.DEAD_LETTERS.name(), Duration.ofSeconds(30),
                read -> letters(read, garbageKey).size() == 1 && letters(read, nul.getId()).size() == 1);
        DeadLetter garbageLetter = letters(dlq, garbageKey).get(0);
        assertThat(garbageLetter.getStage()).isEqualTo(AlertingProducer.SINK_STAGE);
        assertThat(garbageLetter.getOriginalTopic()).isEqualTo(Topics.SCORED_TEXT.name());
        assertThat(garbageLetter.getOriginalValue()).isEqualTo(ByteBuffer.wrap(garbage));
        assertThat(garbageLetter.getReason()).contains("not a ScoredText");
        DeadLetter nulLetter = letters(dlq, nul.getId()).get(0);
        assertThat(nulLetter.getReason()).contains("its body holds the control character U+0000 at position 6");
        assertThat(nulLetter.getOriginalValue()).isEqualTo(ByteBuffer.wrap(bytes(Topics.SCORED_TEXT, nul)));
    }

    /** The sink's dead letters of records with this key. */
    private static List<DeadLetter> letters(List<ConsumerRecord<byte[], byte[]>> read, String key) {
        return read.stream().filter(r -> r.key() != null && new String(r.key()).equals(key))
                .map(r -> Topics.DEAD_LETTERS.valueSerde().deserializer().deserialize(r.topic(), r.value()))
                .filter(l -> l.getStage().equals(AlertingProducer.SINK_STAGE)).toList();
    }

    private static ScoredText withLink(ScoredText t, String url, String body) {
        t.setUrl(url); // (setters, not a copy builder: its enum copies cross the test's and Quarkus's class loaders)
        t.setBody(body);
        return t;
    }
}
