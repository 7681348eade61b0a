package io.finsent.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;

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
    void kafkaClientSettingsAreAcceptedWhereTheServiceHasTheKafkaClientExtension() {
        for (String service : List.of("ingest", "scorer", "alerting")) {
            ServiceConfiguration configuration = ServiceConfiguration.of(service);

            assertThat(configuration.hasExtension(ServiceConfiguration.KAFKA_CLIENT_EXTENSION)).as(service).isTrue();
            assertThat(List.of("KAFKA_SECURITY_PROTOCOL", "KAFKA_SASL_MECHANISM", "KAFKA_SASL_JAAS_CONFIG", "KAFKA_SSL_TRUSTSTORE_TYPE",
                    "KAFKA_SSL_TRUSTSTORE_LOCATION", "KAFKA_SSL_TRUSTSTORE_CERTIFICATES", "KAFKA_LINGER_MS", "KAFKA_ISOLATION_LEVEL"))
                    .as(service).allSatisfy(variable -> assertThat(configuration.accepts(variable)).as(service + ": " + variable).isTrue());
        }
        assertThat(ServiceConfiguration.kafkaClientVariablesOf(QuarkusExtensionKeys.closureOf(Set.of("quarkus-kafka-streams"))))
                .as("quarkus-kafka-streams brings quarkus-kafka-client").contains("KAFKA_SASL_JAAS_CONFIG");
    }

    @Test
    void kafkaVariablesThatNameNoClientConfigurationOrLackTheExtensionAreRefused() {
        ServiceConfiguration alerting = ServiceConfiguration.of("alerting");

        assertThat(alerting.accepts("KAFKA_SASL_JAAS_CONFIGG")).as("a typo").isFalse();
        assertThat(alerting.accepts("KAFKA_NOT_A_CONFIG")).isFalse();
        assertThat(alerting.accepts("KAFKA_LOG_RETENTION_MS")).as("a broker property").isFalse();
        assertThat(alerting.accepts("KAFKA_APPLICATION_ID")).as("a Kafka Streams property, not a client's").isFalse();
        assertThat(alerting.accepts("KAFKA_sasl_jaas_config")).as("not the environment form").isFalse();
        assertThat(ServiceConfiguration.kafkaClientVariablesOf(QuarkusExtensionKeys.closureOf(Set.of("quarkus-rest"))))
                .as("without quarkus-kafka-client nothing reads kafka.*").isEmpty();
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
