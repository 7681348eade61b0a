package io.finsent.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** Every client a replay makes (admin, consumers, producers, both Kafka Streams applications) connects with the run's client settings. */
class ReplayClientConfigTest {

    private static final String JAAS = "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"replay\" password=\"p\";";

    private static final ReplayOptions OPTIONS = ReplayOptions.of("run-1", Instant.parse("2015-01-01T00:00:00Z"), Instant.parse("2015-01-02T00:00:00Z"),
            "kafka:9093", Path.of("model"), Path.of("state")).withKafkaSettings(Map.of(
                    "security.protocol", "SASL_SSL",
                    "sasl.mechanism", "SCRAM-SHA-512",
                    "sasl.jaas.config", JAAS,
                    "bootstrap.servers", "elsewhere:9092",
                    "isolation.level", "read_uncommitted",
                    "commit.interval.ms", "30000",
                    "streams.commit.interval.ms", "100",
                    "foo", "bar"));

    @Test
    void everyClientGetsTheSecuritySettingsAndTheExplicitBootstrap() {
        Map<String, Map<String, Object>> configs = configs();

        assertThat(configs).allSatisfy((client, config) -> assertThat(config).as(client)
                .containsEntry("security.protocol", "SASL_SSL").containsEntry("sasl.mechanism", "SCRAM-SHA-512").containsEntry("sasl.jaas.config", JAAS)
                .containsEntry("bootstrap.servers", "kafka:9093")
                .doesNotContainKeys("foo", "streams.commit.interval.ms"));
    }

    @Test
    void theReplaysOwnSettingsWinOverTheClientSettings() {
        Map<String, Map<String, Object>> configs = configs();

        assertThat(configs.get("consumer")).containsEntry("isolation.level", "read_committed");
        assertThat(configs.get("scorer streams")).containsEntry("commit.interval.ms", 200).containsEntry("application.id", "app");
    }

    @Test
    void withoutSettingsTheClientsConnectAsBefore() {
        ReplayOptions plain = ReplayOptions.of("run-1", OPTIONS.from(), OPTIONS.to(), "127.0.0.1:9092", Path.of("model"), Path.of("state"));

        assertThat(plain.kafkaSettings()).isEmpty();
        assertThat(Kafka.adminConfig(plain.kafka())).containsEntry("bootstrap.servers", "127.0.0.1:9092").doesNotContainKey("security.protocol");
    }

    @Test
    void theOptionsDoNotPrintThePassword() {
        assertThat(OPTIONS.kafka().toString()).contains("sasl.jaas.config").doesNotContain("password");
        assertThat(OPTIONS.toString()).contains("sasl.jaas.config", OPTIONS.runId()).doesNotContain("password");
    }

    private static Map<String, Map<String, Object>> configs() {
        Map<String, Map<String, Object>> configs = new HashMap<>();
        configs.put("admin", Kafka.adminConfig(OPTIONS.kafka()));
        configs.put("consumer", Kafka.consumerConfig(OPTIONS.kafka()));
        configs.put("marker producer", Kafka.producerConfig(OPTIONS.kafka()));
        configs.put("staging producer", ArchiveStaging.producerConfig(OPTIONS.kafka()));
        for (String part : List.of("scorer", "trends")) {
            Map<String, Object> streams = new HashMap<>();
            Replay.streamsConfig(OPTIONS, "app", part).forEach((k, v) -> streams.put((String) k, v));
            configs.put(part + " streams", streams);
        }
        return configs;
    }
}
