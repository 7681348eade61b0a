package io.finsent.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

/** Which variables count as configuration keys of a service, and which do not. */
class ServiceConfigurationTest {

    @Test
    void keysOfApplicationPropertiesMappingsAndExtensionsAreAccepted() {
        ServiceConfiguration ingest = ServiceConfiguration.of("ingest");
        ServiceConfiguration scorer = ServiceConfiguration.of("scorer");
        ServiceConfiguration alerting = ServiceConfiguration.of("alerting");

        assertThat(ingest.accepts("KAFKA_BOOTSTRAP_SERVERS")).as("application.properties").isTrue();
        assertThat(ingest.accepts("INGEST_CLIENTS_PUBLISHER_KEY_SHA256")).as("a map key of IngestConfig").isTrue();
        assertThat(ingest.accepts("INGEST_FEEDS_FILE")).as("an optional key of IngestConfig").isTrue();
        assertThat(scorer.accepts("QUARKUS_KAFKA_STREAMS_SASL_JAAS_CONFIG")).as("quarkus-kafka-streams").isTrue();
        assertThat(alerting.accepts("QUARKUS_DATASOURCE_JDBC_URL")).as("quarkus-agroal, through quarkus-jdbc-postgresql").isTrue();
    }

    @Test
    void madeUpAndMisplacedVariablesAreRefused() {
        ServiceConfiguration ingest = ServiceConfiguration.of("ingest");
        ServiceConfiguration scorer = ServiceConfiguration.of("scorer");

        assertThat(ingest.accepts("INGEST_MADE_UP_SETTING")).isFalse();
        assertThat(ingest.accepts("INGEST_CLIENTS_PUBLISHER_PASSWORD")).isFalse();
        assertThat(ingest.accepts("QUARKUS_KAFKA_STREAMS_SECURITY_PROTOCOL")).as("ingest has no Kafka Streams").isFalse();
        assertThat(scorer.accepts("QUARKUS_DATASOURCE_JDBC_URL")).as("the scorer has no datasource").isFalse();
        // Kafka Streams pass-through keys reach the client only when application.properties lists them.
        assertThat(scorer.accepts("KAFKA_STREAMS_SECURITY_PROTOCOL")).isFalse();
    }

    @Test
    void theMappingsDeclareEveryKeyOfTheirPrefixInApplicationProperties() {
        for (String service : List.of("ingest", "scorer", "alerting")) {
            ServiceConfiguration configuration = ServiceConfiguration.of(service);
            String prefix = service + ".";

            assertThat(configuration.propertyKeys().stream().filter(k -> k.startsWith(prefix)).toList()).as(service).isNotEmpty()
                    .allSatisfy(key -> assertThat(configuration.mapped(key)).as(service + ": " + key).isTrue());
        }
    }

    @Test
    void environmentNamesFollowMicroProfileConfig() {
        assertThat(ServiceConfiguration.environmentNameOf("scorer.model-dir")).isEqualTo("SCORER_MODEL_DIR");
        assertThat(ServiceConfiguration.environmentNameOf("quarkus.kafka-streams.application-id")).isEqualTo("QUARKUS_KAFKA_STREAMS_APPLICATION_ID");
        assertThat(ConfigMappingSource.kebab("maxBatchTexts")).isEqualTo("max-batch-texts");
    }
}
