package io.finsent.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import io.finsent.common.Topics;
import io.finsent.local.testing.LocalStackExtension;
import io.finsent.schema.RawText;
import io.finsent.schema.SourceKind;
import io.finsent.schemas.TopicCatalogue;

/** The embedded stack is a real broker and a real database: transactions, read_committed, Flyway. */
@ExtendWith(LocalStackExtension.class)
@Timeout(120)
class LocalStackIntegrationTest {

    private static RawText item(String id) {
        return RawText.newBuilder().setId(id).setSourceKind(SourceKind.DEMO).setSource("test")
                .setPublishedAt(Instant.parse("2015-01-02T09:30:00Z")).setIngestedAt(Instant.parse("2015-01-02T09:30:01Z"))
                .setBody("Acme Corp shares rise after results").build();
    }

    @Test
    void everyCatalogueTopicExistsWithItsPartitionsAndPolicy(LocalStack stack) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
            var names = TopicCatalogue.load().topics().stream().map(TopicCatalogue.TopicSpec::name).toList();
            var described = admin.describeTopics(names).allTopicNames().get();
            for (TopicCatalogue.TopicSpec spec : TopicCatalogue.load().topics()) {
                assertThat(described.get(spec.name()).partitions()).hasSize(spec.partitions());
            }
            var configs = admin.describeConfigs(List.of(new org.apache.kafka.common.config.ConfigResource(
                    org.apache.kafka.common.config.ConfigResource.Type.TOPIC, Topics.TOPIC_CONFIG.name()))).all().get();
            assertThat(configs.values().iterator().next().get("cleanup.policy").value()).isEqualTo("compact");
        }
    }

    @Test
    void committedTransactionsAreReadAndAbortedOnesAreNot(LocalStack stack) {
        var topic = Topics.RAW_TEXT;
        Map<String, Object> producerConfig = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "local-stack-test",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.ACKS_CONFIG, "all");
        try (var producer = new KafkaProducer<>(producerConfig, topic.keySerde().serializer(), topic.valueSerde().serializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic.name(), "committed-1", item("committed-1")));
            producer.send(new ProducerRecord<>(topic.name(), "committed-2", item("committed-2")));
            producer.commitTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic.name(), "aborted-1", item("aborted-1")));
            producer.flush();
            producer.abortTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic.name(), "committed-3", item("committed-3")));
            producer.commitTransaction();
        }

        Map<String, Object> consumerConfig = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "local-stack-test-reader",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<String> ids = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(consumerConfig, topic.keySerde().deserializer(), topic.valueSerde().deserializer())) {
            consumer.subscribe(Set.of(topic.name()));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (ids.size() < 3 && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, RawText> record : consumer.poll(Duration.ofMillis(500))) {
                    assertThat(record.value().getId()).isEqualTo(record.key());
                    ids.add(record.key());
                }
            }
            // one more poll: nothing else may arrive, the aborted record least of all
            consumer.poll(Duration.ofSeconds(1)).forEach(r -> ids.add(r.key()));
        }
        assertThat(ids).containsExactlyInAnyOrder("committed-1", "committed-2", "committed-3");
    }

    @Test
    void flywayMigratesTheDatabase(LocalStack stack) throws Exception {
        var result = Flyway.configure().dataSource(stack.jdbcUrl(), stack.jdbcUser(), "")
                .locations("classpath:db/migration").load().migrate();

        assertThat(result.migrationsExecuted).isEqualTo(1);
        try (Connection c = DriverManager.getConnection(stack.jdbcUrl(), stack.jdbcUser(), "");
             ResultSet rs = c.createStatement().executeQuery("SELECT id FROM probe")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("migrated");
        }
        assertThat(Flyway.configure().dataSource(stack.jdbcUrl(), stack.jdbcUser(), "")
                .locations("classpath:db/migration").load().migrate().migrationsExecuted).isZero();
    }
}
