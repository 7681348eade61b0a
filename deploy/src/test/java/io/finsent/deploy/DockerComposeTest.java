package io.finsent.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.server.config.AbstractKafkaConfig;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/** The compose file parses, and every environment variable of every service names a real configuration key. */
class DockerComposeTest {

    private static final Path COMPOSE = Path.of("..", "docker-compose.yml");

    /** Variables of the official postgres image (its documented entry-point variables). */
    private static final Set<String> POSTGRES_IMAGE_VARIABLES = Set.of("POSTGRES_PASSWORD", "POSTGRES_USER", "POSTGRES_DB",
            "POSTGRES_INITDB_ARGS", "POSTGRES_INITDB_WALDIR", "POSTGRES_HOST_AUTH_METHOD", "PGDATA");

    /** Variables of the apache/kafka image that are not broker properties. */
    private static final Set<String> KAFKA_IMAGE_VARIABLES = Set.of("CLUSTER_ID", "KAFKA_HEAP_OPTS", "KAFKA_OPTS", "KAFKA_JVM_PERFORMANCE_OPTS");

    private static JsonNode compose() throws IOException {
        return new ObjectMapper(new YAMLFactory()).readTree(COMPOSE.toFile());
    }

    @Test
    void everyServiceHasAnImageOrABuildAndLimitsItsMemory() throws IOException {
        JsonNode services = compose().path("services");

        assertThat(services.size()).isGreaterThanOrEqualTo(2);
        services.fields().forEachRemaining(service -> {
            assertThat(service.getValue().has("image") || service.getValue().has("build")).as(service.getKey()).isTrue();
            assertThat(service.getValue().at("/deploy/resources/limits/memory").asText()).as(service.getKey() + " memory limit").isNotBlank();
        });
    }

    @Test
    void kafkaVariablesAreRealBrokerProperties() throws IOException {
        Set<String> brokerKeys = AbstractKafkaConfig.CONFIG_DEF.names();
        List<String> unknown = new ArrayList<>();
        compose().path("services").path("kafka").path("environment").fieldNames().forEachRemaining(variable -> {
            if (KAFKA_IMAGE_VARIABLES.contains(variable)) {
                return;
            }
            String key = kafkaPropertyOf(variable);
            if (key == null || !brokerKeys.contains(key)) {
                unknown.add(variable + " -> " + key);
            }
        });

        assertThat(unknown).as("KAFKA_* variables that name no broker property").isEmpty();
    }

    @Test
    void postgresVariablesAreThoseOfTheImage() throws IOException {
        List<String> variables = new ArrayList<>();
        compose().path("services").path("postgres").path("environment").fieldNames().forEachRemaining(variables::add);

        assertThat(variables).isNotEmpty().allMatch(POSTGRES_IMAGE_VARIABLES::contains);
    }

    @Test
    void theConversionOfTheKafkaImageIsApplied() {
        assertThat(kafkaPropertyOf("KAFKA_CONTROLLER_QUORUM_VOTERS")).isEqualTo("controller.quorum.voters");
        assertThat(kafkaPropertyOf("KAFKA_LOG_RETENTION_MS")).isEqualTo("log.retention.ms");
        assertThat(kafkaPropertyOf("KAFKA_SOME__UNDERSCORE")).isEqualTo("some_underscore");
        assertThat(kafkaPropertyOf("NOT_KAFKA")).isNull();
        assertThat(AbstractKafkaConfig.CONFIG_DEF.names()).doesNotContain(kafkaPropertyOf("KAFKA_MADE_UP_SETTING"));
    }

    /** The apache/kafka image turns KAFKA_A_B into a.b, a double underscore into one and a triple one into a dash. */
    static String kafkaPropertyOf(String variable) {
        if (!variable.startsWith("KAFKA_")) {
            return null;
        }
        return variable.substring("KAFKA_".length()).toLowerCase(Locale.ROOT)
                .replace("___", "-").replace("__", "\u0000").replace('_', '.').replace('\u0000', '_');
    }

    /** A service built from deploy/NAME/ is services/NAME (the GPU variant shares its module). */
    @Test
    void ourServicesVariablesNameRealConfigurationKeys() throws IOException {
        List<String> unknown = new ArrayList<>();
        int checked = 0;
        var services = compose().path("services").fields();
        while (services.hasNext()) {
            var service = services.next();
            String dockerfile = service.getValue().at("/build/dockerfile").asText("");
            if (!dockerfile.startsWith("deploy/")) {
                continue;
            }
            String module = dockerfile.split("/")[1];
            Set<String> keys = configurationKeys(Path.of("..", "services", module, "src/main/resources/application.properties"));
            var variables = service.getValue().path("environment").fieldNames();
            while (variables.hasNext()) {
                String variable = variables.next();
                checked++;
                if (keys.stream().noneMatch(key -> environmentNameOf(key).equals(variable))) {
                    unknown.add(service.getKey() + ": " + variable);
                }
            }
        }

        assertThat(checked).as("variables checked").isPositive();
        assertThat(unknown).as("variables that name no configuration key of their service").isEmpty();
    }

    /** MicroProfile Config's rule: every character that is not a letter or digit becomes '_', then upper case. */
    static String environmentNameOf(String key) {
        return key.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT);
    }

    static Set<String> configurationKeys(Path properties) throws IOException {
        java.util.Properties props = new java.util.Properties();
        try (var in = java.nio.file.Files.newBufferedReader(properties)) {
            props.load(in);
        }
        return props.stringPropertyNames();
    }

    @Test
    void environmentNamesFollowMicroProfileConfig() {
        assertThat(environmentNameOf("scorer.model-dir")).isEqualTo("SCORER_MODEL_DIR");
        assertThat(environmentNameOf("quarkus.kafka-streams.application-id")).isEqualTo("QUARKUS_KAFKA_STREAMS_APPLICATION_ID");
    }

    @Test
    void servicesOnlyReferToDeclaredVolumes() throws IOException {
        JsonNode root = compose();
        Map<String, Object> declared = new ObjectMapper().convertValue(root.path("volumes"), Map.class);
        root.path("services").fields().forEachRemaining(service -> service.getValue().path("volumes").forEach(volume -> {
            String name = volume.asText().split(":")[0];
            if (!name.startsWith(".") && !name.startsWith("/")) {
                assertThat(declared).as(service.getKey()).containsKey(name);
            }
        }));
    }
}
