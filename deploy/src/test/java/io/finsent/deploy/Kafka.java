package io.finsent.deploy;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The Strimzi Kafka resource of a build. */
final class Kafka {

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
}
