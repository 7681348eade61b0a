package io.finsent.replay;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

import io.finsent.alerting.trends.EndOfInput;
import io.finsent.common.KafkaConnection;
import io.finsent.common.Topics;
import io.finsent.schema.ScoredText;

/** The scored texts of a topic published in a range, by id (read_committed; end-of-input markers left out). */
public final class ScoredRecords {

    private ScoredRecords() {
    }

    public static Map<String, ScoredText> read(String bootstrap, String topic, Instant from, Instant to) {
        Map<String, ScoredText> byId = new TreeMap<>();
        forEach(KafkaConnection.to(bootstrap), topic, from, to, text -> byId.put(text.getId(), text));
        return byId;
    }

    /** How many times each id is in the topic's range: exactly once everywhere after an exactly-once run, whatever stopped it. */
    public static Map<String, Integer> timesById(String bootstrap, String topic, Instant from, Instant to) {
        Map<String, Integer> times = new TreeMap<>();
        forEach(KafkaConnection.to(bootstrap), topic, from, to, text -> times.merge(text.getId(), 1, Integer::sum));
        return times;
    }

    private static void forEach(KafkaConnection kafka, String topic, Instant from, Instant to, Consumer<ScoredText> action) {
        Map<TopicPartition, Long> starts = Kafka.offsetsAt(kafka, topic, from);
        try (KafkaConsumer<byte[], byte[]> consumer = Kafka.consumer(kafka)) {
            List<TopicPartition> partitions = List.copyOf(starts.keySet());
            consumer.assign(partitions);
            starts.forEach(consumer::seek);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    String key = r.key() == null ? null : new String(r.key(), java.nio.charset.StandardCharsets.UTF_8);
                    if (r.value() == null || EndOfInput.isMarker(key) || r.timestamp() < from.toEpochMilli() || r.timestamp() >= to.toEpochMilli()) {
                        continue;
                    }
                    action.accept(Topics.SCORED_TEXT.valueSerde().deserializer().deserialize(r.topic(), r.value()));
                }
            }
        }
    }
}
