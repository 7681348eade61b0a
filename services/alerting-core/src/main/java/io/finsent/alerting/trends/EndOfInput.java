package io.finsent.alerting.trends;

import java.time.Instant;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.apache.kafka.streams.processor.StreamPartitioner;

/**
 * The end-of-input watermark of a bounded run (a replay). Its windows close only when stream time passes their
 * end plus the grace, and a bounded input has no later record to move it there; so the replay driver writes one
 * marker record (key {@link #KEY}, null value) to every partition of the run's scored topic once scoring is done,
 * timestamped at or after the end of the range plus a window plus the grace ({@link #timestamp}).
 *
 * <p>The trend topology sends each marker it reads to every partition of its repartition topic
 * ({@link #partitioner()}), where it moves stream time like any record; it is never counted in a topic's window
 * and no trend window is ever emitted for it. The key holds '|', which no topic id may hold, so it can never be
 * mistaken for a topic.
 */
public final class EndOfInput {

    /** Key of a marker record, in the scored topic and in the repartition topic. */
    public static final String KEY = "\u0000end-of-input|";

    private EndOfInput() {
    }

    public static boolean isMarker(String key) {
        return KEY.equals(key);
    }

    /** The earliest marker time that closes every window holding a record before {@code end}. */
    public static Instant timestamp(Instant end, TrendSettings settings) {
        return end.plus(settings.windowSize()).plus(settings.grace());
    }

    /**
     * Repartitions by topic as Kafka Streams does by default (empty: the producer's murmur2 hash of the key), so
     * live partitions stay where they were; markers go to every partition.
     */
    static <V> StreamPartitioner<String, V> partitioner() {
        return (topic, key, value, numPartitions) -> isMarker(key)
                ? Optional.of(IntStream.range(0, numPartitions).boxed().collect(Collectors.toUnmodifiableSet()))
                : Optional.empty();
    }
}
