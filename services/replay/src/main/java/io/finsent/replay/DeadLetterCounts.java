package io.finsent.replay;

import java.time.Instant;


import io.finsent.alerting.trends.TrendTopology;
import io.finsent.common.KafkaConnection;
import io.finsent.common.Topics;
import io.finsent.schema.DeadLetter;

/** Dead letters of a run's dead-letter topic, all and late ones ({@code alerting.late}), optionally in a range of record times. */
final class DeadLetterCounts {

    private DeadLetterCounts() {
    }

    /** @return {all, late} */
    static long[] count(String bootstrap, String topic, Instant from, Instant to) {
        return count(KafkaConnection.to(bootstrap), topic, from, to);
    }

    /** @return {all, late} */
    static long[] count(KafkaConnection kafka, String topic, Instant from, Instant to) {
        long[] counts = new long[2];
        Kafka.readAll(kafka, topic, r -> {
            if (r.value() == null) {
                return;
            }
            DeadLetter letter = Topics.DEAD_LETTERS.valueSerde().deserializer().deserialize(r.topic(), r.value());
            long at = letter.getOccurredAt().toEpochMilli();
            if ((from != null && at < from.toEpochMilli()) || (to != null && at >= to.toEpochMilli())) {
                return;
            }
            counts[0]++;
            if (TrendTopology.STAGE_LATE.equals(letter.getStage())) {
                counts[1]++;
            }
        });
        return counts;
    }
}
