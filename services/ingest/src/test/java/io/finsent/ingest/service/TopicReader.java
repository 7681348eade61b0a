package io.finsent.ingest.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import io.finsent.local.testing.SharedLocalStack;

/**
 * Reads what the service wrote, read_committed, from the shared test broker. Values are decoded as
 * generic records from the schemas' .avsc files: in a @QuarkusTest the generated classes and Avro may
 * come from different class loaders.
 */
final class TopicReader {

    static final String RAW_TEXT = "text.raw";
    static final String DEAD_LETTERS = "text.dlq";

    private TopicReader() {
    }

    /** A RawText ("RawText") or DeadLetter ("DeadLetter") value as a generic record. */
    static GenericRecord decode(String recordName, byte[] value) {
        try (InputStream avsc = TopicReader.class.getClassLoader().getResourceAsStream("avro/" + recordName + ".avsc")) {
            Schema schema = new Schema.Parser().parse(avsc);
            return new BinaryMessageDecoder<GenericRecord>(GenericData.get(), schema).decode(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A string field of a generic record, null when absent. */
    static String text(GenericRecord record, String field) {
        Object value = record.get(field);
        return value == null ? null : value.toString();
    }

    /** A field holding an array of strings. */
    static List<String> texts(GenericRecord record, String field) {
        return ((List<?>) record.get(field)).stream().map(Object::toString).toList();
    }

    /** Every record of a topic by key, as of now. */
    static Map<String, List<ConsumerRecord<String, byte[]>>> byKey(String topic) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedLocalStack.get().bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Map<String, List<ConsumerRecord<String, byte[]>>> byKey = new HashMap<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                assertThat(System.nanoTime()).as("read " + topic + " within 30 s").isLessThan(deadline);
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    byKey.computeIfAbsent(record.key(), k -> new ArrayList<>()).add(record);
                }
            }
        }
        return byKey;
    }

    /** Waits (at most 20 s) until the topic's records by key satisfy the condition, and returns them. */
    static Map<String, List<ConsumerRecord<String, byte[]>>> awaitByKey(String topic, Predicate<Map<String, List<ConsumerRecord<String, byte[]>>>> condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            Map<String, List<ConsumerRecord<String, byte[]>>> records = byKey(topic);
            if (condition.test(records) || System.nanoTime() > deadline) {
                return records;
            }
            Thread.sleep(200);
        }
    }
}
