package io.finsent.cli;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

import io.finsent.common.Topics;
import io.finsent.ingest.demo.DemoStream;
import io.finsent.schema.TopicDefinition;

/** The topics analysts follow in the demo: one per demo company, matched by ticker and by name. */
final class DemoTopics {

    /** A fixed definition time, so that every demo run publishes the same records. */
    private static final Instant DEFINED_AT = Instant.parse("2026-01-01T00:00:00Z");

    private DemoTopics() {
    }

    static List<TopicDefinition> definitions() {
        return DemoStream.companies().stream().map(c -> TopicDefinition.newBuilder()
                .setId(c.ticker().toLowerCase(Locale.ROOT))
                .setName(c.name())
                .setDescription("News and posts about " + c.name() + " (" + c.theme() + ")")
                .setTickers(List.of(c.ticker()))
                .setAliases(List.of(c.name()))
                .setUpdatedAt(DEFINED_AT)
                .build()).toList();
    }

    /** Publishes the definitions to the compacted topic-definition topic and waits until the broker has them. */
    static int publish(String bootstrapServers) throws InterruptedException {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        List<TopicDefinition> topics = definitions();
        try (KafkaProducer<String, TopicDefinition> producer = new KafkaProducer<>(props, Topics.TOPIC_CONFIG.keySerde().serializer(),
                Topics.TOPIC_CONFIG.valueSerde().serializer())) {
            for (TopicDefinition topic : topics) {
                producer.send(new ProducerRecord<>(Topics.TOPIC_CONFIG.name(), null, DEFINED_AT.toEpochMilli(), topic.getId(), topic)).get();
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot publish the demo topics to " + Topics.TOPIC_CONFIG.name() + ": " + e.getCause().getMessage(),
                    e.getCause());
        }
        return topics.size();
    }
}
