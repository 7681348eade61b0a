package io.finsent.alerting.service;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import io.finsent.common.KafkaClientSettings;
import io.finsent.common.Topics;
import io.finsent.schema.DeadLetter;
import io.smallrye.common.annotation.Identifier;

/**
 * The service's one Kafka producer (idempotent, acks=all): dead letters of the sink, alert events, topic
 * definitions. Values go through the serdes of {@link Topics}, so no call site can mismatch them.
 */
@ApplicationScoped
public class AlertingProducer {

    /** The dead-letter stage of records the trend sink cannot read. */
    public static final String SINK_STAGE = "alerting.sink";

    private final KafkaProducer<byte[], byte[]> producer;

    AlertingProducer(@Identifier("default-kafka-broker") Map<String, Object> kafka) {
        Map<String, Object> props = KafkaClientSettings.producer(kafka);
        props.putAll(Map.of(
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.CLIENT_ID_CONFIG, "finsent-alerting"));
        this.producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Sends a value (null: a tombstone) keyed by {@code key}. */
    public <V extends SpecificRecord> Future<RecordMetadata> send(Topics.Topic<V> topic, String key, V value) {
        byte[] k = topic.keySerde().serializer().serialize(topic.name(), key);
        byte[] v = value == null ? null : topic.valueSerde().serializer().serialize(topic.name(), value);
        return producer.send(new ProducerRecord<>(topic.name(), k, v));
    }

    /** Sends and waits for the broker's acknowledgement. */
    public <V extends SpecificRecord> void sendAndWait(Topics.Topic<V> topic, String key, V value, long timeoutMs)
            throws ExecutionException, TimeoutException, InterruptedException {
        send(topic, key, value).get(timeoutMs, TimeUnit.MILLISECONDS);
    }

    /** A record the sink cannot read, with its original bytes, acknowledged before this returns. */
    public void deadLetter(ConsumerRecord<byte[], byte[]> record, String reason, long timeoutMs)
            throws ExecutionException, TimeoutException, InterruptedException {
        DeadLetter letter = DeadLetter.newBuilder()
                .setStage(SINK_STAGE)
                .setReason(reason)
                .setOriginalTopic(record.topic())
                .setOriginalPartition(record.partition())
                .setOriginalOffset(record.offset())
                .setOriginalKey(record.key() == null ? null : java.nio.ByteBuffer.wrap(record.key()))
                .setOriginalValue(record.value() == null ? null : java.nio.ByteBuffer.wrap(record.value()))
                .setOccurredAt(Instant.now())
                .build();
        Topics.Topic<DeadLetter> dlq = Topics.DEAD_LETTERS;
        byte[] value = dlq.valueSerde().serializer().serialize(dlq.name(), letter);
        producer.send(new ProducerRecord<>(dlq.name(), null, record.timestamp(), record.key(), value))
                .get(timeoutMs, TimeUnit.MILLISECONDS);
    }

    @PreDestroy
    void close() {
        producer.close(java.time.Duration.ofSeconds(5));
    }
}
