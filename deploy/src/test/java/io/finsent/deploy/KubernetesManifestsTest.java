package io.finsent.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What each overlay builds to: our Deployments run the images the build command makes, on their service's HTTP
 * port, with probes on /q/health, resources, a non-root read-only container, and environment variables that name
 * real configuration keys; Services and PodDisruptionBudgets select them; secrets come from where the docs say.
 */
class KubernetesManifestsTest {

    private static final List<String> SERVICES = List.of("ingest", "scorer", "alerting");

    private static List<ObjectNode> build(String overlay) {
        return Kustomization.build(Yaml.K8S.resolve("overlays").resolve(overlay));
    }

    private static ObjectNode container(List<ObjectNode> resources, String service) {
        List<ObjectNode> containers = Kustomization.containersOf(Kustomization.find(resources, "Deployment", service));
        assertThat(containers).as(service + " containers").hasSize(1);
        return containers.get(0);
    }

    /** A container's environment: a value, or "secret NAME/KEY" for a secret reference; envFrom ConfigMaps expanded. */
    static Map<String, String> environment(List<ObjectNode> resources, JsonNode container) {
        Map<String, String> environment = new LinkedHashMap<>();
        for (JsonNode from : container.path("envFrom")) {
            assertThat(from.has("configMapRef")).as("envFrom takes ConfigMaps only, so their keys can be checked: " + from).isTrue();
            Kustomization.find(resources, "ConfigMap", from.at("/configMapRef/name").asText()).path("data").fields()
                    .forEachRemaining(e -> environment.put(e.getKey(), e.getValue().asText()));
        }
        for (JsonNode variable : container.path("env")) {
            JsonNode secret = variable.at("/valueFrom/secretKeyRef");
            environment.put(variable.path("name").asText(), secret.isMissingNode() ? variable.path("value").asText()
                    : "secret " + secret.path("name").asText() + "/" + secret.path("key").asText());
        }
        return environment;
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gpu"})
    void everyVariableNamesARealConfigurationKeyOfItsService(String overlay) {
        List<ObjectNode> resources = build(overlay);
        List<String> unknown = new ArrayList<>();
        for (String service : SERVICES) {
            ServiceConfiguration configuration = ServiceConfiguration.of(service);
            environment(resources, container(resources, service)).keySet().stream()
                    .filter(variable -> !configuration.accepts(variable)).forEach(variable -> unknown.add(service + ": " + variable));
        }

        assertThat(unknown).as("variables that name no configuration key of their service").isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gpu"})
    void ourDeploymentsRunBuiltImagesOnTheirHttpPortWithHealthProbes(String overlay) {
        List<ObjectNode> resources = build(overlay);
        Map<String, String> built = ServiceImages.built();
        for (String service : SERVICES) {
            JsonNode container = container(resources, service);
            int port = ServiceConfiguration.of(service).httpPort();
            String dockerfile = built.get(container.path("image").asText());

            assertThat(dockerfile).as(service + " image " + container.path("image").asText() + " is built by deploy/build-images.sh").isNotNull();
            assertThat(ServiceImages.moduleOf(dockerfile)).isEqualTo(service);
            assertThat(container.at("/ports/0/containerPort").asInt()).as(service).isEqualTo(port);
            for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
                assertThat(container.at("/" + probe + "/httpGet/port").asInt()).as(service + " " + probe).isEqualTo(port);
                assertThat(container.at("/" + probe + "/httpGet/path").asText()).as(service + " " + probe).startsWith("/q/health/");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gpu"})
    void everyContainerRequestsCpuAndMemoryAndLimitsMemory(String overlay) {
        List<ObjectNode> resources = build(overlay);
        List<JsonNode> sized = new ArrayList<>();
        resources.forEach(r -> sized.addAll(Kustomization.containersOf(r)));
        Kustomization.ofKind(resources, "KafkaNodePool").forEach(r -> sized.add(r.path("spec")));
        Kustomization.ofKind(resources, "Cluster").forEach(r -> sized.add(r.path("spec")));

        assertThat(sized).hasSize(5).allSatisfy(c -> {
            assertThat(c.at("/resources/requests/cpu").asText()).as(c.toString()).isNotBlank();
            assertThat(c.at("/resources/requests/memory").asText()).as(c.toString()).isNotBlank();
            assertThat(c.at("/resources/limits/memory").asText()).as(c.toString()).isNotBlank();
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gpu"})
    void ourContainersRunAsNonRootOnAReadOnlyRootFileSystem(String overlay) {
        List<ObjectNode> resources = build(overlay);
        for (String service : SERVICES) {
            JsonNode pod = Kustomization.find(resources, "Deployment", service).at("/spec/template/spec");
            JsonNode container = container(resources, service);

            assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean()).as(service).isTrue();
            assertThat(container.at("/securityContext/readOnlyRootFilesystem").asBoolean()).as(service).isTrue();
            assertThat(container.at("/securityContext/allowPrivilegeEscalation").asBoolean(true)).as(service).isFalse();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gpu"})
    void servicesAndDisruptionBudgetsSelectTheirDeployment(String overlay) {
        List<ObjectNode> resources = build(overlay);
        for (String service : SERVICES) {
            JsonNode labels = Kustomization.find(resources, "Deployment", service).at("/spec/template/metadata/labels");
            JsonNode kubernetesService = Kustomization.find(resources, "Service", service);
            JsonNode budget = Kustomization.find(resources, "PodDisruptionBudget", service);
            int port = ServiceConfiguration.of(service).httpPort();

            assertThat(selects(kubernetesService.at("/spec/selector"), labels)).as(service + " Service").isTrue();
            assertThat(selects(budget.at("/spec/selector/matchLabels"), labels)).as(service + " PodDisruptionBudget").isTrue();
            assertThat(kubernetesService.at("/spec/ports/0/port").asInt()).isEqualTo(port);
            assertThat(kubernetesService.at("/spec/ports/0/targetPort").asInt()).isEqualTo(port);
        }
    }

    private static boolean selects(JsonNode selector, JsonNode labels) {
        List<Boolean> matches = new ArrayList<>();
        selector.fields().forEachRemaining(e -> matches.add(e.getValue().equals(labels.get(e.getKey()))));
        return !matches.isEmpty() && !matches.contains(false);
    }

    @Test
    void aSelectorWithALabelThePodsLackSelectsNothing() {
        JsonNode labels = JsonNodeFactory.instance.objectNode().put("app.kubernetes.io/name", "scorer");
        JsonNode selector = labels.deepCopy();
        ((ObjectNode) selector).put("tier", "gpu");

        assertThat(selects(selector, labels)).isFalse();
        assertThat(selects(labels, labels)).isTrue();
    }

    /** Secrets are ours (in the manifests), Strimzi's (a KafkaUser's, the cluster CA), CNPG's, or named in docs/operations.md. */
    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gpu"})
    void everySecretComesFromADocumentedPlace(String overlay) throws IOException {
        List<ObjectNode> resources = build(overlay);
        String operations = Files.readString(Yaml.ROOT.resolve("docs/operations.md"));
        List<String> provided = new ArrayList<>();
        Kustomization.ofKind(resources, "Secret").forEach(s -> provided.add(s.at("/metadata/name").asText()));
        Kustomization.ofKind(resources, "KafkaUser").forEach(u -> provided.add(u.at("/metadata/name").asText()));
        Kustomization.ofKind(resources, "Kafka").forEach(k -> provided.add(k.at("/metadata/name").asText() + "-cluster-ca-cert"));
        Kustomization.ofKind(resources, "Cluster").forEach(c -> {
            provided.add(c.at("/metadata/name").asText() + "-app");
            provided.add(c.at("/metadata/name").asText() + "-ca");
        });
        List<String> referenced = new ArrayList<>();
        for (JsonNode resource : resources) {
            resource.findValues("secretKeyRef").forEach(ref -> referenced.add(ref.path("name").asText()));
            resource.findValues("secretName").forEach(name -> referenced.add(name.asText()));
            resource.at("/spec/secretTargetRef").forEach(ref -> referenced.add(ref.path("name").asText()));
        }

        assertThat(referenced).isNotEmpty().allSatisfy(name -> assertThat(provided.contains(name) || operations.contains("`" + name + "`"))
                .as("secret " + name + " is provided by the manifests or documented in docs/operations.md").isTrue());
    }

    /**
     * Every service reaches Kafka on the authenticated listener over SASL_SSL as its own KafkaUser, the login read
     * from that user's secret: its kafka.* clients, and its Kafka Streams app where it has one.
     */
    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gpu"})
    void everyServiceReachesKafkaOverSaslSslAsItsOwnUser(String overlay) {
        List<ObjectNode> resources = build(overlay);
        JsonNode kafka = Kafka.cluster(resources);
        String caSecret = kafka.at("/metadata/name").asText() + "-cluster-ca-cert";
        List<String> problems = new ArrayList<>();
        for (String service : SERVICES) {
            String user = "finsent-" + service;
            Kustomization.find(resources, "KafkaUser", user);
            JsonNode container = container(resources, service);
            JsonNode pod = Kustomization.find(resources, "Deployment", service).at("/spec/template/spec");
            List<String> prefixes = ServiceConfiguration.of(service).hasExtension(ServiceConfiguration.KAFKA_STREAMS_EXTENSION)
                    ? List.of(Kafka.CLIENT_PREFIX, Kafka.STREAMS_PREFIX) : List.of(Kafka.CLIENT_PREFIX);
            Kafka.clientProblems(environment(resources, container), prefixes, Kafka.authenticatedListener(kafka), user,
                    mountedFiles(pod, container, caSecret, "ca.crt")).forEach(problem -> problems.add(service + ": " + problem));
        }

        assertThat(problems).isEmpty();
    }

    @Test
    void aLiteralLoginAPlaintextClientOrAMissingStreamsSettingIsReported() {
        List<ObjectNode> resources = build("cpu");
        JsonNode listener = Kafka.authenticatedListener(Kafka.cluster(resources));
        Map<String, String> environment = environment(resources, container(resources, "ingest"));
        Set<String> ca = Set.of("/etc/finsent/kafka-ca/ca.crt");
        List<String> client = List.of(Kafka.CLIENT_PREFIX);

        assertThat(Kafka.clientProblems(environment, client, listener, "finsent-ingest", ca)).isEmpty();
        assertThat(Kafka.clientProblems(environment, client, listener, "finsent-alerting", ca)).as("another service's login").hasSize(1);
        assertThat(Kafka.clientProblems(environment, List.of(Kafka.CLIENT_PREFIX, Kafka.STREAMS_PREFIX), listener, "finsent-ingest", ca))
                .as("no Kafka Streams settings").hasSize(5);
        environment.put("KAFKA_SASL_JAAS_CONFIG", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"u\" password=\"p\";");
        environment.put("KAFKA_SECURITY_PROTOCOL", "PLAINTEXT");
        assertThat(Kafka.clientProblems(environment, client, listener, "finsent-ingest", ca))
                .anySatisfy(p -> assertThat(p).startsWith("KAFKA_SASL_JAAS_CONFIG is org.apache"))
                .anySatisfy(p -> assertThat(p).startsWith("KAFKA_SECURITY_PROTOCOL is PLAINTEXT")).hasSize(2);
        assertThat(Kafka.clientProblems(environment, client, listener, "finsent-ingest", Set.of("/elsewhere/ca.crt")))
                .as("a trust store where the CA is not mounted").hasSize(3);
    }

    /** Where a container sees one key of a secret: each mount of a volume of that secret, and the key's file name in it. */
    static Set<String> mountedFiles(JsonNode pod, JsonNode container, String secret, String key) {
        Set<String> files = new java.util.HashSet<>();
        for (JsonNode volume : pod.path("volumes")) {
            if (!volume.at("/secret/secretName").asText().equals(secret)) {
                continue;
            }
            List<String> names = new ArrayList<>();
            if (volume.at("/secret/items").isMissingNode()) {
                names.add(key);
            }
            volume.at("/secret/items").forEach(item -> {
                if (item.path("key").asText().equals(key)) {
                    names.add(item.path("path").asText());
                }
            });
            for (JsonNode mount : container.path("volumeMounts")) {
                if (mount.path("name").asText().equals(volume.path("name").asText())) {
                    names.forEach(name -> files.add(mount.path("mountPath").asText() + "/" + name));
                }
            }
        }
        return files;
    }

    @Test
    void theDemoSourceIsOffInProduction() {
        assertThat(environment(build("cpu"), container(build("cpu"), "ingest"))).containsEntry("INGEST_DEMO_ENABLED", "false");
    }

    @Test
    void postgresIsReachedOverVerifiedTlsWithTheClusterCa() {
        List<ObjectNode> resources = build("cpu");
        Map<String, String> environment = environment(resources, container(resources, "alerting"));
        String cluster = Kustomization.ofKind(resources, "Cluster").get(0).at("/metadata/name").asText();

        assertThat(environment.get("QUARKUS_DATASOURCE_JDBC_URL")).contains("//" + cluster + "-rw:").contains("sslmode=verify-full")
                .contains("sslrootcert=/etc/finsent/postgres-ca/ca.crt");
        assertThat(environment).containsEntry("QUARKUS_DATASOURCE_PASSWORD", "secret " + cluster + "-app/password");
    }

    @Test
    void theGpuOverlayRunsTheCudaScorerOnAGpu() {
        List<ObjectNode> resources = build("gpu");
        JsonNode scorer = container(resources, "scorer");
        JsonNode pod = Kustomization.find(resources, "Deployment", "scorer").at("/spec/template/spec");

        assertThat(ServiceImages.built().get(scorer.path("image").asText())).isEqualTo("deploy/scorer/Dockerfile.cuda");
        assertThat(scorer.at("/resources/limits/nvidia.com~1gpu").asInt()).isEqualTo(1);
        assertThat(scorer.at("/resources/requests/nvidia.com~1gpu").asInt()).isEqualTo(1);
        assertThat(pod.path("tolerations").toString()).contains("nvidia.com/gpu");
        assertThat(environment(resources, scorer)).containsEntry("SCORER_DEVICE", "cuda");
    }

    @Test
    void theCpuOverlayRunsTheCpuScorerWithoutAGpu() {
        List<ObjectNode> resources = build("cpu");
        JsonNode scorer = container(resources, "scorer");

        assertThat(ServiceImages.built().get(scorer.path("image").asText())).isEqualTo("deploy/scorer/Dockerfile");
        assertThat(scorer.at("/resources").toString()).doesNotContain("nvidia.com/gpu");
        assertThat(environment(resources, scorer)).containsEntry("SCORER_DEVICE", "cpu");
    }
}
