package io.finsent.cli.replay;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

import io.finsent.alerting.trends.TrendTopology;
import io.finsent.common.Topics;
import io.finsent.schema.DeadLetter;

/** Dead letters of a run's dead-letter topic, all and late ones ({@code alerting.late}), optionally in a range of record times. */
final class DeadLetterCounts {

    private DeadLetterCounts() {
    }

    /** @return {all, late} */
    static long[] count(String bootstrap, String topic, Instant from, Instant to) {
        long all = 0;
        long late = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = Kafka.consumer(bootstrap)) {
            List<TopicPartition> partitions = Kafka.partitions(consumer, topic);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.value() == null) {
                        continue;
                    }
                    DeadLetter letter = Topics.DEAD_LETTERS.valueSerde().deserializer().deserialize(r.topic(), r.value());
                    long at = letter.getOccurredAt().toEpochMilli();
                    if ((from != null && at < from.toEpochMilli()) || (to != null && at >= to.toEpochMilli())) {
                        continue;
                    }
                    all++;
                    if (TrendTopology.STAGE_LATE.equals(letter.getStage())) {
                        late++;
                    }
                }
            }
        }
        return new long[] {all, late};
    }
}
