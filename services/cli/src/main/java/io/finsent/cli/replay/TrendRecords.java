package io.finsent.cli.replay;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

import io.finsent.common.Topics;
import io.finsent.schema.TopicTrendWindow;

/** The trend windows of one run in {@code topic.trends} (read_committed; the last record per key). */
public final class TrendRecords {

    private TrendRecords() {
    }

    /**
     * @param from first window start taken, or null
     * @param to   window starts from this one on are left out, or null
     * @return windows by topic, then window start
     */
    public static List<TopicTrendWindow> read(String bootstrap, String runId, Instant from, Instant to) {
        String prefix = runId + "|";
        Map<String, TopicTrendWindow> byKey = new TreeMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = Kafka.consumer(bootstrap)) {
            List<TopicPartition> partitions = Kafka.partitions(consumer, Topics.TOPIC_TRENDS.name());
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    String key = r.key() == null ? "" : new String(r.key(), java.nio.charset.StandardCharsets.UTF_8);
                    if (!key.startsWith(prefix)) {
                        continue;
                    }
                    if (r.value() == null) {
                        byKey.remove(key);
                        continue;
                    }
                    TopicTrendWindow w = Topics.TOPIC_TRENDS.valueSerde().deserializer().deserialize(r.topic(), r.value());
                    if ((from == null || !w.getWindowStart().isBefore(from)) && (to == null || w.getWindowStart().isBefore(to))) {
                        byKey.put(key, w);
                    }
                }
            }
        }
        List<TopicTrendWindow> windows = new ArrayList<>(byKey.values());
        windows.sort(Comparator.comparing(TopicTrendWindow::getTopic).thenComparing(TopicTrendWindow::getWindowSizeMs)
                .thenComparing(TopicTrendWindow::getWindowStart));
        return windows;
    }
}
