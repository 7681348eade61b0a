package io.finsent.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.server.config.AbstractKafkaConfig;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The compose file parses; every environment variable of every service names a real configuration key; our
 * services run the images the build command makes, on their HTTP port; the demo source is off by default and the
 * GPU scorer reserves a GPU.
 */
class DockerComposeTest {

    /** Variables of the official postgres image (its documented entry-point variables). */
    private static final Set<String> POSTGRES_IMAGE_VARIABLES = Set.of("POSTGRES_PASSWORD", "POSTGRES_USER", "POSTGRES_DB",
            "POSTGRES_INITDB_ARGS", "POSTGRES_INITDB_WALDIR", "POSTGRES_HOST_AUTH_METHOD", "PGDATA");

    /** Variables of the apache/kafka image that are not broker properties. */
    private static final Set<String> KAFKA_IMAGE_VARIABLES = Set.of("CLUSTER_ID", "KAFKA_HEAP_OPTS", "KAFKA_OPTS", "KAFKA_JVM_PERFORMANCE_OPTS");

    private static JsonNode compose() {
        return Yaml.read(Yaml.COMPOSE);
    }

    /** Our services: those built from a Dockerfile under deploy/. */
    private static List<Map.Entry<String, JsonNode>> ourServices() {
        List<Map.Entry<String, JsonNode>> ours = new ArrayList<>();
        compose().path("services").fields().forEachRemaining(service -> {
            if (service.getValue().at("/build/dockerfile").asText("").startsWith("deploy/")) {
                ours.add(service);
            }
        });
        return ours;
    }

    @Test
    void everyServiceHasAnImageOrABuildAndLimitsItsMemory() {
        JsonNode services = compose().path("services");

        assertThat(services.size()).isGreaterThanOrEqualTo(2);
        services.fields().forEachRemaining(service -> {
            assertThat(service.getValue().has("image") || service.getValue().has("build")).as(service.getKey()).isTrue();
            assertThat(service.getValue().at("/deploy/resources/limits/memory").asText()).as(service.getKey() + " memory limit").isNotBlank();
        });
    }

    @Test
    void kafkaVariablesAreRealBrokerProperties() {
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
    void postgresVariablesAreThoseOfTheImage() {
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
    void ourServicesVariablesNameRealConfigurationKeys() {
        List<String> unknown = new ArrayList<>();
        int checked = 0;
        for (Map.Entry<String, JsonNode> service : ourServices()) {
            ServiceConfiguration configuration = ServiceConfiguration.of(ServiceImages.moduleOf(service.getValue().at("/build/dockerfile").asText()));
            var variables = service.getValue().path("environment").fieldNames();
            while (variables.hasNext()) {
                String variable = variables.next();
                checked++;
                if (!configuration.accepts(variable)) {
                    unknown.add(service.getKey() + ": " + variable);
                }
            }
        }

        assertThat(checked).as("variables checked").isPositive();
        assertThat(unknown).as("variables that name no configuration key of their service").isEmpty();
    }

    @Test
    void ourServicesRunTheImagesTheBuildCommandMakesFromTheirDockerfile() {
        Map<String, String> built = ServiceImages.built();

        assertThat(ourServices()).hasSize(4).allSatisfy(service -> assertThat(built)
                .as(service.getKey() + " image, as deploy/build-images.sh tags it")
                .containsEntry(service.getValue().path("image").asText(), service.getValue().at("/build/dockerfile").asText()));
    }

    @Test
    void ourServicesPublishTheirHttpPort() {
        assertThat(ourServices()).allSatisfy(service -> {
            int port = ServiceConfiguration.of(ServiceImages.moduleOf(service.getValue().at("/build/dockerfile").asText())).httpPort();
            assertThat(service.getValue().path("ports").get(0).asText()).as(service.getKey()).endsWith(":" + port);
        });
    }

    @Test
    void theDemoSourceIsOffUnlessAskedFor() {
        String demo = compose().at("/services/ingest/environment/INGEST_DEMO_ENABLED").asText();

        assertThat(demo).isEqualTo("${INGEST_DEMO_ENABLED:-false}");
    }

    @Test
    void theGpuScorerReservesAGpuAndRunsOnCuda() {
        JsonNode gpu = compose().at("/services/scorer-gpu");

        assertThat(gpu.at("/deploy/resources/reservations/devices/0/capabilities").toString()).contains("gpu");
        assertThat(gpu.at("/deploy/resources/reservations/devices/0/driver").asText()).isEqualTo("nvidia");
        assertThat(gpu.at("/environment/SCORER_DEVICE").asText()).isEqualTo("cuda");
        assertThat(gpu.at("/build/dockerfile").asText()).endsWith("Dockerfile.cuda");
    }

    @Test
    void servicesOnlyReferToDeclaredVolumesAndKeepTheirStateApart() {
        JsonNode root = compose();
        Set<String> declared = new HashSet<>();
        root.path("volumes").fieldNames().forEachRemaining(declared::add);
        List<String> named = new ArrayList<>();
        root.path("services").fields().forEachRemaining(service -> service.getValue().path("volumes").forEach(volume -> {
            String name = volume.asText().split(":")[0];
            if (!name.startsWith(".") && !name.startsWith("/")) {
                assertThat(declared).as(service.getKey()).contains(name);
                named.add(name);
            }
        }));

        // Two Kafka Streams instances on one RocksDB directory would fight over its lock.
        assertThat(named).doesNotHaveDuplicates();
    }
}
