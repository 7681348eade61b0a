package io.finsent.deploy;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The Strimzi Kafka resource of a build, and how clients must reach it. */
final class Kafka {

    /** The prefix of a service's kafka.* client settings, and that of its Kafka Streams settings. */
    static final String CLIENT_PREFIX = "KAFKA_";
    static final String STREAMS_PREFIX = "QUARKUS_KAFKA_STREAMS_";

    private Kafka() {
    }

    static JsonNode cluster(List<ObjectNode> resources) {
        List<ObjectNode> clusters = Kustomization.ofKind(resources, "Kafka");
        if (clusters.size() != 1) {
            throw new IllegalArgumentException(clusters.size() + " Kafka resources, expected one");
        }
        return clusters.get(0);
    }

    /** The listener with TLS and authentication. */
    static JsonNode authenticatedListener(JsonNode cluster) {
        for (JsonNode listener : cluster.at("/spec/kafka/listeners")) {
            if (listener.path("tls").asBoolean() && listener.has("authentication")) {
                return listener;
            }
        }
        throw new IllegalArgumentException("Kafka " + cluster.at("/metadata/name").asText() + " has no listener with TLS and authentication");
    }

    /** Ways past authentication or the ACLs: a listener without TLS or authentication, a super user, allow-if-no-ACL. */
    static List<String> openings(JsonNode cluster) {
        List<String> openings = new ArrayList<>();
        for (JsonNode listener : cluster.at("/spec/kafka/listeners")) {
            if (!listener.path("tls").asBoolean() || !listener.has("authentication")) {
                openings.add("listener " + listener.path("name").asText() + " (" + listener.path("port").asText() + ") lacks TLS or authentication");
            }
        }
        if (!cluster.at("/spec/kafka/authorization/type").asText().equals("simple")) {
            openings.add("authorization is not simple (ACLs)");
        }
        cluster.at("/spec/kafka/authorization/superUsers").forEach(user -> openings.add("super user " + user.asText()));
        if (cluster.at("/spec/kafka/config/allow.everyone.if.no.acl.found").asBoolean(false)) {
            openings.add("allow.everyone.if.no.acl.found");
        }
        return openings;
    }

    /**
     * What is wrong with how a client reaches the authenticated listener, for each prefix of settings the service
     * has (its kafka.* clients, and its Kafka Streams app if any): the listener's port, SASL_SSL with its mechanism,
     * the login from the secret {@code loginSecret} (never a literal), and a PEM trust store at one of
     * {@code caFiles}, where the cluster CA is mounted. The environment is that of
     * {@link KubernetesManifestsTest#environment}: a secret reference reads "secret NAME/KEY".
     */
    static List<String> clientProblems(Map<String, String> environment, List<String> prefixes, JsonNode listener, String loginSecret,
            Set<String> caFiles) {
        List<String> problems = new ArrayList<>();
        String bootstrap = environment.getOrDefault(CLIENT_PREFIX + "BOOTSTRAP_SERVERS", "");
        if (!bootstrap.endsWith(":" + listener.path("port").asText())) {
            problems.add("KAFKA_BOOTSTRAP_SERVERS " + bootstrap + " is not listener " + listener.path("name").asText());
        }
        Map<String, String> expected = Map.of("SECURITY_PROTOCOL", "SASL_SSL",
                "SASL_MECHANISM", listener.at("/authentication/type").asText().toUpperCase(Locale.ROOT),
                "SASL_JAAS_CONFIG", "secret " + loginSecret + "/sasl.jaas.config",
                "SSL_TRUSTSTORE_TYPE", "PEM");
        for (String prefix : prefixes) {
            expected.forEach((setting, value) -> {
                if (!value.equals(environment.get(prefix + setting))) {
                    problems.add(prefix + setting + " is " + environment.get(prefix + setting) + ", not " + value);
                }
            });
            String trustStore = environment.getOrDefault(prefix + "SSL_TRUSTSTORE_LOCATION", "");
            if (!caFiles.contains(trustStore)) {
                problems.add(prefix + "SSL_TRUSTSTORE_LOCATION " + trustStore + " is not the mounted cluster CA " + caFiles);
            }
        }
        return problems;
    }
}
