package io.finsent.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.finsent.common.Topics;
import io.finsent.schemas.TopicCatalogue;

/**
 * The Strimzi topics are the system's topics (Topics, from the topic catalogue) with their partitions and configs;
 * ACLs name real topics; KEDA scales the scorer Deployment on the lag of the scorer's real application id.
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

    @Test
    void theScorersPrincipalOwnsItsApplicationsGroupAndTransactions() {
        String applicationId = ServiceConfiguration.of("scorer").property("quarkus.kafka-streams.application-id");
        String acls = Kustomization.find(RESOURCES, "KafkaUser", "finsent-scorer").at("/spec/authorization/acls").toString();

        assertThat(acls).contains("\"type\":\"group\",\"name\":\"" + applicationId + "\"")
                .contains("\"type\":\"transactionalId\",\"name\":\"" + applicationId + "-\"");
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
