package io.finsent.scoring;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

import org.apache.kafka.streams.processor.api.RecordMetadata;

import io.finsent.schema.DeadLetter;

/** Dead-letter records of the scorer: the stage, the reason and the original bytes. */
final class DeadLetters {

    static final String DESERIALIZE = "scorer.deserialize";
    static final String VALIDATE = "scorer.validate";
    static final String ENCODE = "scorer.encode";
    static final String PROCESS = "scorer.process";

    private DeadLetters() {
    }

    /**
     * {@code occurredAt} is the record's own timestamp, not the wall clock, so a replay writes the same
     * dead letters.
     */
    static DeadLetter of(String stage, String reason, String key, byte[] value, RecordMetadata origin, long occurredAt) {
        return origin == null ? of(stage, reason, key, value, null, null, null, occurredAt)
                : of(stage, reason, key, value, origin.topic(), origin.partition(), origin.offset(), occurredAt);
    }

    static DeadLetter of(String stage, String reason, String key, byte[] value, String topic, Integer partition, Long offset,
                         long occurredAt) {
        return DeadLetter.newBuilder()
                .setStage(stage)
                .setReason(reason)
                .setOriginalKey(key == null ? null : ByteBuffer.wrap(key.getBytes(StandardCharsets.UTF_8)))
                .setOriginalValue(value == null ? null : ByteBuffer.wrap(value))
                .setOriginalTopic(topic)
                .setOriginalPartition(partition)
                .setOriginalOffset(offset)
                .setOccurredAt(Instant.ofEpochMilli(occurredAt))
                .build();
    }
}
