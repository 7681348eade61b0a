package io.finsent.alerting.trends;

import java.util.Map;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;

import io.finsent.common.Topics;
import io.finsent.schema.DeadLetter;
import io.finsent.schema.TopicTrendWindow;

/**
 * Scored texts to per-topic trend windows: text.scored → one record per topic match → tumbling event-time
 * windows with grace → each window once, after it closes, to topic.trends. Late records beyond the grace go
 * to text.dlq with their original bytes. No I/O of its own: testable with TopologyTestDriver.
 *
 * <p>Event time is the text's {@code published_at}. The aggregate is integer-only ({@link TrendTally}), so a
 * window's record is bit-identical whatever the order, batching or threading that delivered its texts.
 *
 * <p>Windows close on watermarks ({@link TrendWindows}): every partition of the scored topic sends its event time
 * to every window task, and a window closes when all of them have passed its end plus the grace. Stream time in
 * Kafka Streams is the largest timestamp a task has seen, which a backlog read unevenly across partitions pushes
 * far ahead of the slow ones; closing on it would turn whole partitions' texts into late records.
 *
 * <p>A bounded run (a replay) ends with {@link EndOfInput} markers on each scored partition: a last watermark,
 * past the last window's close, never counted.
 *
 * <p>Both stores are in memory, backed by changelog topics: they hold one small tally per topic and open window
 * and one watermark per source partition, so restoring them is quick.
 */
public final class TrendTopology {

    /** Dead-letter stages (field {@code stage} of a {@link DeadLetter}). */
    public static final String STAGE_DESERIALIZE = "alerting.deserialize";
    public static final String STAGE_VALIDATE = "alerting.validate";
    public static final String STAGE_LATE = "alerting.late";

    /** State stores and the repartition topic (prefixed with the application id by Kafka Streams). */
    public static final String WINDOW_STORE = "topic-trend-windows";
    public static final String WATERMARK_STORE = "topic-trend-watermarks";
    public static final String BY_TOPIC = "scored-text-by-topic";

    private TrendTopology() {
    }

    public static Topology build(TrendSettings settings) {
        return build(settings, () -> { });
    }

    /**
     * @param lateText told of each text dead-lettered as late (stage {@link #STAGE_LATE}), on the stream thread; for a
     *                 metric, since a transaction retried after a crash tells it again
     */
    public static Topology build(TrendSettings settings, Runnable lateText) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(WINDOW_STORE), Serdes.String(), TrendTally.SERDE));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(WATERMARK_STORE), Serdes.Integer(), Serdes.Long()));
        // A source partition reports its event time at most four times a window (and at its end of input).
        long tickMs = Math.max(1, settings.windowSize().toMillis() / 4);

        Map<String, KStream<String, Object>> intake = builder
                .stream(settings.scoredTopic(), Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("scored-text-source"))
                .process(() -> new MentionIntake(tickMs, settings.idleAfter().toMillis()), Named.as("mention-intake"))
                .split(Named.as("intake-"))
                .branch((key, value) -> value instanceof TopicMention, Branched.as("mention"))
                .defaultBranch(Branched.as("rejected"));
        deadLetters(intake.get("intake-rejected"), "intake", settings.deadLetterTopic());

        Map<String, KStream<String, Object>> windows = intake.get("intake-mention")
                .mapValues(value -> (TopicMention) value, Named.as("as-mention"))
                .repartition(Repartitioned.with(Serdes.String(), TopicMention.SERDE).withName(BY_TOPIC)
                        .withStreamPartitioner(EndOfInput.partitioner()))
                .process(() -> new TrendWindows(settings, lateText), Named.as("trend-windows"), WINDOW_STORE, WATERMARK_STORE)
                .split(Named.as("windows-"))
                .branch((key, value) -> value instanceof TopicTrendWindow, Branched.as("closed"))
                .defaultBranch(Branched.as("late"));
        deadLetters(windows.get("windows-late"), "late", settings.deadLetterTopic());

        windows.get("windows-closed")
                .mapValues(value -> (TopicTrendWindow) value, Named.as("as-trend-window"))
                .to(Topics.TOPIC_TRENDS.name(), Produced.with(Topics.TOPIC_TRENDS.keySerde(), Topics.TOPIC_TRENDS.valueSerde())
                        .withStreamPartitioner(new TrendPartitioner()).withName("trend-sink"));
        return builder.build();
    }

    private static void deadLetters(KStream<String, Object> letters, String name, String topic) {
        letters.mapValues(value -> (DeadLetter) value, Named.as("as-dead-letter-" + name))
                .to(topic, Produced.with(Topics.DEAD_LETTERS.keySerde(), Topics.DEAD_LETTERS.valueSerde())
                        .withName("dead-letter-sink-" + name));
    }
}
