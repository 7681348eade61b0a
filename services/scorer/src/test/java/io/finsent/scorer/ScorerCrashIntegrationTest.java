package io.finsent.scorer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import io.finsent.common.Topics;
import io.finsent.local.LocalStack;
import io.finsent.local.testing.LocalStackExtension;
import io.finsent.schema.DeadLetter;
import io.finsent.schema.RawText;
import io.finsent.schema.ScoredText;
import io.finsent.schema.SourceKind;

/**
 * Exactly once under crashes: the scorer runs as a child process (the packaged Quarkus app) and is killed
 * with SIGKILL at random moments while 10,000 texts and some bad records flow; afterwards every input id is
 * in the scored topic exactly once (read_committed) and only the bad records are dead letters.
 */
@ExtendWith(LocalStackExtension.class)
@Timeout(value = 20, unit = TimeUnit.MINUTES)
class ScorerCrashIntegrationTest {

    private static final Logger LOG = Logger.getLogger(ScorerCrashIntegrationTest.class);
    private static final int TEXTS = 10_000;
    private static final int KILLS = 10;
    private static final String[] SUBJECTS = {"Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Stark", "Wayne"};
    private static final String[] EVENTS = {"raises its full-year guidance", "misses profit estimates", "announces a share buyback",
            "cuts 1,200 jobs", "wins a EUR 40 mn contract", "faces a regulatory probe", "reports flat quarterly sales",
            "shares slump after CEO exit", "beats revenue forecasts", "delays its product launch"};

    @TempDir
    Path stateDir;

    private final String run = UUID.randomUUID().toString().substring(0, 8);

    @Test
    void everyTextIsScoredExactlyOnceThoughTheScorerIsKilledTenTimes(LocalStack stack) throws Exception {
        Random random = new Random(42);
        Set<String> badKeys = new java.util.HashSet<>();
        Thread producer = new Thread(() -> produce(stack, badKeys), "crash-test-producer");
        producer.start();

        Process scorer = startScorer(stack);
        for (int kill = 1; kill <= KILLS; kill++) {
            // Some kills land while the app starts, most while it restores, scores and commits.
            Thread.sleep(3000 + random.nextInt(9000));
            LOG.infof("SIGKILL %d/%d of scorer pid %d", kill, KILLS, scorer.pid());
            scorer.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            scorer = startScorer(stack);
        }
        producer.join();

        Map<String, Integer> scoredIds = new HashMap<>();
        Map<String, String> deadLetters = new HashMap<>();
        long deadline = System.nanoTime() + Duration.ofMinutes(12).toNanos();
        try (var scoredConsumer = ScorerApp.consumer(stack, Topics.SCORED_TEXT); var deadConsumer = ScorerApp.consumer(stack, Topics.DEAD_LETTERS)) {
            scoredConsumer.subscribe(List.of(Topics.SCORED_TEXT.name()));
            deadConsumer.subscribe(List.of(Topics.DEAD_LETTERS.name()));
            while ((scoredIds.size() < TEXTS || deadLetters.size() < badKeys.size()) && System.nanoTime() < deadline) {
                for (var record : scoredConsumer.poll(Duration.ofMillis(500))) {
                    ScoredText value = (ScoredText) record.value();
                    if (value.getId().startsWith(run)) {
                        scoredIds.merge(value.getId(), 1, Integer::sum);
                    }
                }
                for (var record : deadConsumer.poll(Duration.ofMillis(100))) {
                    if (record.key() != null && record.key().startsWith(run)) {
                        deadLetters.put(record.key(), ((DeadLetter) record.value()).getReason());
                    }
                }
            }
            // a last look: nothing may arrive twice after the counts were reached
            for (var record : scoredConsumer.poll(Duration.ofSeconds(3))) {
                ScoredText value = (ScoredText) record.value();
                if (value.getId().startsWith(run)) {
                    scoredIds.merge(value.getId(), 1, Integer::sum);
                }
            }
        } finally {
            scorer.destroy();
            scorer.waitFor(30, TimeUnit.SECONDS);
            scorer.destroyForcibly();
        }

        assertThat(scoredIds).as("scored ids").hasSize(TEXTS);
        assertThat(scoredIds.values()).as("times each id was scored").containsOnly(1);
        assertThat(deadLetters.keySet()).as("dead letters are exactly the bad inputs").isEqualTo(badKeys);
        assertThat(deadLetters.values()).allSatisfy(reason -> assertThat(reason).isNotBlank());
    }

    private void produce(LocalStack stack, Set<String> badKeys) {
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "crash-test-" + run, ProducerConfig.ACKS_CONFIG, "all");
        Random random = new Random(7);
        try (var producer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer())) {
            producer.initTransactions();
            for (int i = 0; i < TEXTS; i += 100) {
                producer.beginTransaction();
                for (int j = i; j < i + 100; j++) {
                    String id = run + "-" + j;
                    RawText text = RawText.newBuilder().setId(id).setSourceKind(SourceKind.DEMO).setSource("crash-test")
                            .setPublishedAt(Instant.parse("2015-06-01T00:00:00Z").plusSeconds(j)).setIngestedAt(Instant.EPOCH)
                            .setBody(SUBJECTS[random.nextInt(SUBJECTS.length)] + " " + EVENTS[random.nextInt(EVENTS.length)]
                                    + (j % 7 == 0 ? ", analysts say the outlook for the rest of the year remains uncertain" : "") + ".")
                            .build();
                    producer.send(new ProducerRecord<>(Topics.RAW_TEXT.name(), id,
                            Topics.RAW_TEXT.valueSerde().serializer().serialize(Topics.RAW_TEXT.name(), text)));
                    if (j % 250 == 0) {
                        String bad = run + "-bad-" + j;
                        badKeys.add(bad);
                        producer.send(new ProducerRecord<>(Topics.RAW_TEXT.name(), bad, ("not avro " + j).getBytes()));
                    }
                }
                producer.commitTransaction();
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Process startScorer(LocalStack stack) throws IOException {
        return ScorerApp.start(stack, Path.of("target", "crash-test-scorer.log"), List.of("quarkus.kafka-streams.application-id=crash-test-" + run,
                "kafka-streams.state.dir=" + stateDir, "kafka-streams.consumer.session.timeout.ms=6000",
                "kafka-streams.consumer.heartbeat.interval.ms=1500", "quarkus.http.port=0"));
    }
}
