package io.finsent.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.finsent.common.Topics;
import io.finsent.schemas.TopicCatalogue;

/**
 * The Strimzi topics are the system's topics (Topics, from the topic catalogue) with their partitions and configs;
 * ACLs name real topics and grant each principal what its service does, nothing more; no listener or super user
 * bypasses them; KEDA scales the scorer Deployment on the lag of the scorer's real application id.
 */
class KafkaResourcesTest {

    private static final List<ObjectNode> RESOURCES = Kustomization.build(Yaml.K8S.resolve("overlays/cpu"));

    @Test
    void theTopicsAreThoseOfTopicsWithTheirPartitionsAndConfigs() {
        Map<String, JsonNode> topics = Kustomization.ofKind(RESOURCES, "KafkaTopic").stream()
                .collect(Collectors.toMap(t -> t.at("/spec/topicName").asText(), t -> t.path("spec")));
        String cluster = Kafka.cluster(RESOURCES).at("/metadata/name").asText();

        assertThat(topics.keySet()).containsExactlyInAnyOrderElementsOf(Topics.ALL.stream().map(Topics.Topic::name).toList());
        for (TopicCatalogue.TopicSpec spec : TopicCatalogue.load().topics()) {
            JsonNode topic = topics.get(spec.name());
            assertThat(topic.path("partitions").asInt()).as(spec.name()).isEqualTo(spec.partitions());
            spec.configs().forEach((key, value) -> assertThat(topic.at("/config").path(key).asText()).as(spec.name() + " " + key).isEqualTo(value));
        }
        assertThat(Kustomization.ofKind(RESOURCES, "KafkaTopic"))
                .allSatisfy(t -> assertThat(t.at("/metadata/labels/strimzi.io~1cluster").asText()).isEqualTo(cluster));
    }

    @Test
    void aclsOnLiteralTopicsNameRealTopics() {
        List<String> names = Topics.ALL.stream().map(Topics.Topic::name).toList();
        List<JsonNode> literal = Kustomization.ofKind(RESOURCES, "KafkaUser").stream()
                .flatMap(u -> java.util.stream.StreamSupport.stream(u.at("/spec/authorization/acls").spliterator(), false))
                .map(acl -> acl.path("resource"))
                .filter(r -> r.path("type").asText().equals("topic") && r.path("patternType").asText("literal").equals("literal")).toList();

        assertThat(literal).isNotEmpty().allSatisfy(r -> assertThat(names).contains(r.path("name").asText()));
    }

    /** What each service does on the system's topics: Read and Write per topic, exactly (no more is granted). */
    private static final Map<String, Map<String, Set<String>>> TOPIC_USE = Map.of(
            "ingest", Map.of(Topics.RAW_TEXT.name(), Set.of("Write", "Read"),   // Read: its consumer seeds the de-duplication
                    Topics.DEAD_LETTERS.name(), Set.of("Write"),
                    Topics.FEED_CONFIG.name(), Set.of("Write", "Read")),   // the feed list: written on change, read at start
            "scorer", Map.of(Topics.RAW_TEXT.name(), Set.of("Read"), Topics.TOPIC_CONFIG.name(), Set.of("Read"),
                    Topics.SCORED_TEXT.name(), Set.of("Write"), Topics.DEAD_LETTERS.name(), Set.of("Write"),
                    Topics.TOPIC_TRENDS.name(), Set.of("Write", "Read")),   // replays over its API write trend windows and wait for them
            "alerting", Map.of(Topics.SCORED_TEXT.name(), Set.of("Read"),
                    Topics.TOPIC_TRENDS.name(), Set.of("Write", "Read"),   // the streams app writes, the trend sink reads
                    Topics.ALERT_EVENTS.name(), Set.of("Write", "Read"),   // the producer writes, the alert stream reads
                    Topics.TOPIC_CONFIG.name(), Set.of("Write"), Topics.DEAD_LETTERS.name(), Set.of("Write")));

    @Test
    void eachPrincipalMayReadAndWriteTheTopicsItsServiceUsesAndNoOthers() {
        for (var service : TOPIC_USE.entrySet()) {
            JsonNode user = Kustomization.find(RESOURCES, "KafkaUser", "finsent-" + service.getKey());
            for (Topics.Topic<?> topic : Topics.ALL) {
                for (String operation : List.of("Read", "Write")) {
                    boolean used = service.getValue().getOrDefault(topic.name(), Set.of()).contains(operation);
                    assertThat(allows(user, "topic", topic.name(), operation)).as(service.getKey() + " " + operation + " " + topic.name()).isEqualTo(used);
                }
                assertThat(allows(user, "topic", topic.name(), "Describe")).as(service.getKey() + " Describe " + topic.name())
                        .isEqualTo(service.getValue().containsKey(topic.name()));
            }
        }
    }

    /** Kafka Streams apps own their group, transactions and internal topics; the trend sink's group is alerting's. */
    @Test
    void thePrincipalsOwnTheirGroupsTransactionsAndInternalTopics() {
        for (String service : List.of("scorer", "alerting")) {
            String applicationId = ServiceConfiguration.of(service).property("quarkus.kafka-streams.application-id");
            JsonNode user = Kustomization.find(RESOURCES, "KafkaUser", "finsent-" + service);

            assertThat(allows(user, "group", applicationId, "Read")).as(service + " group " + applicationId).isTrue();
            assertThat(allows(user, "transactionalId", applicationId + "-0_1", "Write")).as(service + " transactions").isTrue();
            assertThat(allows(user, "topic", applicationId + "-window-store-changelog", "Create")).as(service + " internal topics").isTrue();
            assertThat(allows(user, "topic", applicationId + "x-changelog", "Create")).as(service + ": another application's topics").isFalse();
        }
        JsonNode scorer = Kustomization.find(RESOURCES, "KafkaUser", "finsent-scorer");
        assertThat(allows(scorer, "group", "finsent-replay-q1-scorer", "Read")).as("a replay's groups").isTrue();
        assertThat(allows(scorer, "transactionalId", "finsent-replay-q1-trends-0_1", "Write")).as("a replay's transactions").isTrue();
        assertThat(allows(scorer, "topic", "replay.q1.scored", "Create")).as("a replay's topics").isTrue();
        assertThat(allows(Kustomization.find(RESOURCES, "KafkaUser", "finsent-ingest"), "topic", "replay.q1.scored", "Create")).isFalse();
        String sinkGroup = ServiceConfiguration.of("alerting").property("alerting.sink.group-id");
        assertThat(allows(Kustomization.find(RESOURCES, "KafkaUser", "finsent-alerting"), "group", sinkGroup, "Read")).as(sinkGroup).isTrue();
        assertThat(allows(Kustomization.find(RESOURCES, "KafkaUser", "finsent-ingest"), "group", sinkGroup, "Read")).isFalse();
    }

    @Test
    void everyListenerAuthenticatesOverTlsAndNobodyIsASuperUser() {
        assertThat(Kafka.openings(Kafka.cluster(RESOURCES))).isEmpty();
    }

    @Test
    void anUnauthenticatedListenerASuperUserOrAllowIfNoAclIsReported() {
        JsonNode cluster = Yaml.parse("""
                metadata: {name: k}
                spec:
                  kafka:
                    listeners:
                      - {name: tls, port: 9093, type: internal, tls: true, authentication: {type: scram-sha-512}}
                      - {name: plain, port: 9092, type: internal, tls: false}
                      - {name: mtls, port: 9094, type: internal, tls: true}
                    authorization: {type: simple, superUsers: [ANONYMOUS]}
                    config: {allow.everyone.if.no.acl.found: true}
                """);

        assertThat(Kafka.openings(cluster)).containsExactly("listener plain (9092) lacks TLS or authentication",
                "listener mtls (9094) lacks TLS or authentication", "super user ANONYMOUS", "allow.everyone.if.no.acl.found");
    }

    @Test
    void aclsMatchLiteralAndPrefixedNamesAndAllCoversEveryOperation() {
        JsonNode user = Yaml.parse("""
                spec:
                  authorization:
                    acls:
                      - {resource: {type: topic, name: a}, operations: [Read]}
                      - {resource: {type: topic, name: p-, patternType: prefix}, operations: [All]}
                """);

        assertThat(allows(user, "topic", "a", "Read")).isTrue();
        assertThat(allows(user, "topic", "a", "Write")).isFalse();
        assertThat(allows(user, "topic", "ab", "Read")).as("a literal name is not a prefix").isFalse();
        assertThat(allows(user, "topic", "p-x", "Write")).isTrue();
        assertThat(allows(user, "group", "p-x", "Read")).as("another resource type").isFalse();
    }

    /** Whether a KafkaUser's ACLs allow an operation on a resource (literal or prefixed names; All allows everything). */
    static boolean allows(JsonNode user, String type, String name, String operation) {
        for (JsonNode acl : user.at("/spec/authorization/acls")) {
            JsonNode resource = acl.path("resource");
            String pattern = resource.path("name").asText();
            boolean prefix = resource.path("patternType").asText("literal").equals("prefix");
            boolean matches = resource.path("type").asText().equals(type) && (prefix ? name.startsWith(pattern) : name.equals(pattern));
            List<String> operations = new ArrayList<>();
            acl.path("operations").forEach(o -> operations.add(o.asText()));
            if (matches && (operations.contains(operation) || operations.contains("All"))) {
                return true;
            }
        }
        return false;
    }

    @Test
    void kedaScalesTheScorerOnItsConsumerGroupsLagOnTheRawTopic() {
        JsonNode scaled = Kustomization.ofKind(RESOURCES, "ScaledObject").get(0);
        JsonNode trigger = scaled.at("/spec/triggers/0");
        ObjectNode deployment = Kustomization.find(RESOURCES, "Deployment", scaled.at("/spec/scaleTargetRef/name").asText());
        int rawPartitions = TopicCatalogue.load().topic(Topics.RAW_TEXT.name()).partitions();

        assertThat(Kustomization.containersOf(deployment).get(0).path("name").asText()).isEqualTo("scorer");
        assertThat(deployment.at("/spec/replicas").isMissingNode()).as("replicas are KEDA's").isTrue();
        assertThat(trigger.path("type").asText()).isEqualTo("kafka");
        assertThat(trigger.at("/metadata/consumerGroup").asText())
                .isEqualTo(ServiceConfiguration.of("scorer").property("quarkus.kafka-streams.application-id"));
        assertThat(trigger.at("/metadata/topic").asText()).isEqualTo(Topics.RAW_TEXT.name());
        assertThat(trigger.at("/metadata/bootstrapServers").asText()).endsWith(":" + Kafka.authenticatedListener(Kafka.cluster(RESOURCES)).path("port").asText());
        assertThat(scaled.at("/spec/maxReplicaCount").asInt()).as("an instance beyond the partitions would idle").isBetween(1, rawPartitions);
        Kustomization.find(RESOURCES, "TriggerAuthentication", trigger.at("/authenticationRef/name").asText());
    }
}
