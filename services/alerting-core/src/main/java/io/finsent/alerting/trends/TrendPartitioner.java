package io.finsent.alerting.trends;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;

import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.processor.StreamPartitioner;

import io.finsent.schema.TopicTrendWindow;

/**
 * Partitions {@code topic.trends} on {@code run|topic} only, not on the whole key (which also holds the window):
 * every window of one topic lands in one partition, in the order the topology emits them (window order), so a
 * consumer evaluates each topic's rules in event-time order. Same hash as Kafka's default partitioner applied to
 * the key {@code run|topic}.
 */
public final class TrendPartitioner implements StreamPartitioner<String, TopicTrendWindow> {

    /** The partition of every window of (run, topic) among {@code numPartitions}. */
    public static int partitionOf(String runId, String topic, int numPartitions) {
        byte[] key = (runId + "|" + topic).getBytes(StandardCharsets.UTF_8);
        return Utils.toPositive(Utils.murmur2(key)) % numPartitions;
    }

    @Override
    public Optional<Set<Integer>> partitions(String topic, String key, TopicTrendWindow value, int numPartitions) {
        if (value != null) {
            return Optional.of(Set.of(partitionOf(value.getRunId(), value.getTopic(), numPartitions)));
        }
        TrendKey parsed = TrendKey.parse(key);
        return Optional.of(Set.of(partitionOf(parsed.runId(), parsed.topic(), numPartitions)));
    }
}
