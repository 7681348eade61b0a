package io.finsent.scoring;

import java.nio.ByteBuffer;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A text waiting in the scorer's buffer: the original record's bytes and where it came from, so a
 * text that still fails alone can go to the dead-letter topic exactly as it arrived.
 */
record PendingText(String topic, int partition, long offset, long timestamp, byte[] value) {

    static final Serde<PendingText> SERDE = Serdes.serdeFrom(serializer(), deserializer());

    /** Whether both come from the same input record (topic, partition, offset). */
    boolean sameRecord(PendingText other) {
        return offset == other.offset && partition == other.partition && topic.equals(other.topic);
    }

    private static Serializer<PendingText> serializer() {
        return (topic, pending) -> {
            if (pending == null) {
                return null;
            }
            byte[] source = pending.topic().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            return ByteBuffer.allocate(4 + source.length + 4 + 8 + 8 + pending.value().length)
                    .putInt(source.length).put(source).putInt(pending.partition()).putLong(pending.offset())
                    .putLong(pending.timestamp()).put(pending.value()).array();
        };
    }

    private static Deserializer<PendingText> deserializer() {
        return (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            try {
                ByteBuffer in = ByteBuffer.wrap(bytes);
                byte[] source = new byte[in.getInt()];
                in.get(source);
                int partition = in.getInt();
                long offset = in.getLong();
                long timestamp = in.getLong();
                byte[] value = new byte[in.remaining()];
                in.get(value);
                return new PendingText(new String(source, java.nio.charset.StandardCharsets.UTF_8), partition, offset, timestamp, value);
            } catch (RuntimeException e) {
                throw new SerializationException("corrupt pending text in the scorer's buffer: " + e, e);
            }
        };
    }
}
