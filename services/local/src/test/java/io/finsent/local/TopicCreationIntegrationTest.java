package io.finsent.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Future;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import io.finsent.common.TopicCreation;
import io.finsent.local.testing.LocalStackExtension;

/** Topics made by {@link TopicCreation} take the first burst of writes whole, at once; a topic the broker refuses is named. */
@ExtendWith(LocalStackExtension.class)
@Timeout(180)
class TopicCreationIntegrationTest {

    private final String run = UUID.randomUUID().toString().substring(0, 8);

    @Test
    void everyWriteOfABurstRightAfterCreationLands(LocalStack stack) throws Exception {
        try (Admin admin = admin(stack)) {
            for (int round = 0; round < 8; round++) {
                // Given new topics of 12 partitions each
                List<NewTopic> topics = List.of(new NewTopic("burst-" + run + "-" + round + "-a", 12, (short) 1),
                        new NewTopic("burst-" + run + "-" + round + "-b", 12, (short) 1));
                TopicCreation.createAndAwait(admin, topics, Duration.ofSeconds(30));

                // When an idempotent producer with 5 requests in flight writes to every partition at once
                List<Future<RecordMetadata>> writes = new ArrayList<>();
                try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        stack.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 0,
                        ProducerConfig.BATCH_SIZE_CONFIG, 256, ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 20_000,
                        ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000), new StringSerializer(), new StringSerializer())) {
                    for (int i = 0; i < 600; i++) {
                        NewTopic topic = topics.get(i % 2);
                        writes.add(producer.send(new ProducerRecord<>(topic.name(), (i / 2) % 12, "k" + i, "record " + i + " of round " + round)));
                    }
                }

                // Then each one is acknowledged: none expires waiting for a leader that the broker's metadata named too early
                for (Future<RecordMetadata> write : writes) {
                    assertThat(write.get().offset()).isNotNegative();
                }
            }
        }
    }

    @Test
    void anExistingTopicIsLeftAsItIs(LocalStack stack) throws Exception {
        try (Admin admin = admin(stack)) {
            String name = "existing-" + run;
            TopicCreation.createAndAwait(admin, List.of(new NewTopic(name, 3, (short) 1)), Duration.ofSeconds(30));

            TopicCreation.createAndAwait(admin, List.of(new NewTopic(name, 6, (short) 1)), Duration.ofSeconds(30));

            assertThat(admin.describeTopics(List.of(name)).allTopicNames().get().get(name).partitions()).hasSize(3);
        }
    }

    @Test
    void aTopicTheBrokerRefusesIsNamedWithTheReason(LocalStack stack) throws Exception {
        try (Admin admin = admin(stack)) {
            assertThatThrownBy(() -> TopicCreation.createAndAwait(admin, List.of(new NewTopic("bad/name-" + run, 1, (short) 1)),
                    Duration.ofSeconds(30)))
                    .isInstanceOf(TopicCreation.TopicCreationException.class).hasMessageContaining("cannot create topic bad/name-" + run);
            assertThatThrownBy(() -> TopicCreation.createAndAwait(admin, List.of(new NewTopic("three-replicas-" + run, 1, (short) 3)),
                    Duration.ofSeconds(30)))
                    .isInstanceOf(TopicCreation.TopicCreationException.class).hasMessageContaining("three-replicas-" + run)
                    .hasMessageContaining("replication factor");
        }
    }

    private static Admin admin(LocalStack stack) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()));
    }
}
