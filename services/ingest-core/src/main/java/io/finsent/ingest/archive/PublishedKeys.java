package io.finsent.ingest.archive;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import io.finsent.common.KafkaConnection;

/**
 * The keys already committed to some topics, read back with {@code read_committed}: what makes an
 * import resumable (a second run skips every key it finds here) and exactly-once across broker
 * restarts (after a failed commit, reading on from where the last read stopped shows whether that
 * transaction committed). Keys stay in memory, about 100 bytes each.
 */
final class PublishedKeys {

    private final Properties consumerConfig;
    private final List<String> topics;
    private final Set<String> keys = new HashSet<>();
    private final Map<TopicPartition, Long> positions = new HashMap<>();

    PublishedKeys(KafkaConnection kafka, List<String> topics) {
        this.topics = topics;
        consumerConfig = new Properties();
        consumerConfig.putAll(kafka.consumer());
        consumerConfig.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumerConfig.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        consumerConfig.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        consumerConfig.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Integer.toString(16 << 20));
        consumerConfig.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        consumerConfig.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
    }

    boolean contains(String key) {
        return keys.contains(key);
    }

    void add(String key) {
        keys.add(key);
    }

    int size() {
        return keys.size();
    }

    /**
     * Reads every key committed since the last call (from the beginning on the first), up to the last
     * stable offset of each partition as it is now.
     */
    void catchUp(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(consumerConfig, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : topics) {
                List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
                if (infos == null || infos.isEmpty()) {
                    throw new ArchiveImportException("topic " + topic + " does not exist on the broker; start the stack with ./monitor up, which creates the topics");
                }
                for (PartitionInfo info : infos) {
                    partitions.add(new TopicPartition(topic, info.partition()));
                }
            }
            consumer.assign(partitions);
            Map<TopicPartition, Long> beginnings = consumer.beginningOffsets(partitions, timeout);
            for (TopicPartition tp : partitions) {
                long from = Math.max(positions.getOrDefault(tp, 0L), beginnings.get(tp));
                consumer.seek(tp, from);
            }
            // For a read_committed consumer these are the last stable offsets: nothing past an open transaction.
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, timeout);
            Set<TopicPartition> behind = new HashSet<>();
            for (TopicPartition tp : partitions) {
                if (consumer.position(tp, timeout) < ends.get(tp)) {
                    behind.add(tp);
                } else {
                    positions.put(tp, consumer.position(tp, timeout));
                }
            }
            while (!behind.isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new ArchiveImportException("could not read back the published keys of " + topics + " within " + timeout.toSeconds() + " s");
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    if (record.key() != null) {
                        keys.add(record.key());
                    }
                }
                for (var it = behind.iterator(); it.hasNext(); ) {
                    TopicPartition tp = it.next();
                    long position = consumer.position(tp, timeout);
                    if (position >= ends.get(tp)) {
                        positions.put(tp, position);
                        it.remove();
                    }
                }
            }
        }
    }
}
