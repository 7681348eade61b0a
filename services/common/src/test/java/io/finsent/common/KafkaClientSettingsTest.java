package io.finsent.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class KafkaClientSettingsTest {

    /** What quarkus-kafka-client hands a service for kafka.* and kafka-streams.* keys. */
    private static final Map<String, Object> CONFIGURED = Map.of(
            "bootstrap.servers", "kafka:9093",
            "security.protocol", "SASL_SSL",
            "sasl.mechanism", "SCRAM-SHA-512",
            "sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"u\" password=\"p\";",
            "ssl.truststore.type", "PEM",
            "streams.commit.interval.ms", "200",
            "isolation.level", "read_committed",
            "acks", "all",
            "sasl.login.class", "");

    @Test
    void producersGetTheConnectionAndSecuritySettingsButNotKeysMeantForOthers() {
        Map<String, Object> producer = KafkaClientSettings.producer(CONFIGURED);

        assertThat(producer).containsEntry("bootstrap.servers", "kafka:9093").containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512").containsKey("sasl.jaas.config").containsEntry("ssl.truststore.type", "PEM")
                .containsEntry("acks", "all")
                .doesNotContainKeys("streams.commit.interval.ms", "isolation.level", "sasl.login.class");
    }

    @Test
    void consumersGetTheirOwnKeysAndTheCallerMayAddMore() {
        var consumer = KafkaClientSettings.consumer(CONFIGURED);
        consumer.put("group.id", "g");

        assertThat(consumer).containsEntry("security.protocol", "SASL_SSL").containsEntry("isolation.level", "read_committed")
                .containsEntry("group.id", "g").doesNotContainKeys("acks", "streams.commit.interval.ms");
        assertThat(CONFIGURED).doesNotContainKey("group.id");
    }

    @Test
    void adminAndStreamsGetTheSecuritySettingsButNotKeysMeantForOthers() {
        assertThat(KafkaClientSettings.admin(CONFIGURED)).containsEntry("security.protocol", "SASL_SSL").containsKey("sasl.jaas.config")
                .doesNotContainKeys("streams.commit.interval.ms", "acks", "isolation.level");
        assertThat(KafkaClientSettings.streams(CONFIGURED)).containsEntry("security.protocol", "SASL_SSL").containsKey("sasl.jaas.config")
                .containsEntry("ssl.truststore.type", "PEM").doesNotContainKeys("streams.commit.interval.ms", "sasl.login.class", "acks",
                        "isolation.level");
    }

    @Test
    void aConnectionsOwnBootstrapWinsAndItsNameHidesTheSettingsValues() {
        KafkaConnection kafka = new KafkaConnection("replay:9093", CONFIGURED);

        assertThat(List.of(kafka.admin(), kafka.producer(), kafka.consumer(), kafka.streams())).allSatisfy(config -> assertThat(config)
                .containsEntry("bootstrap.servers", "replay:9093").containsEntry("security.protocol", "SASL_SSL"));
        assertThat(kafka.toString()).contains("sasl.jaas.config").doesNotContain("password");
        assertThat(KafkaConnection.to("localhost:9092").consumer()).containsOnlyKeys("bootstrap.servers");
    }
}
