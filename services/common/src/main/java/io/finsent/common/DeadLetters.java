package io.finsent.common;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

import io.finsent.schema.DeadLetter;

/**
 * Dead letters of a topology: the stage, the reason and the original record (key, bytes, where it was read).
 * {@code occurredAt} is the record's own timestamp, never the wall clock, so a replay writes the same dead letters.
 */
public final class DeadLetters {

    private DeadLetters() {
    }

    /**
     * @param topic     topic the record was read from, or null when unknown (likewise {@code partition} and {@code offset})
     * @param occurredAt the record's timestamp (event time)
     */
    public static DeadLetter of(String stage, String reason, String key, byte[] value, String topic, Integer partition, Long offset,
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
