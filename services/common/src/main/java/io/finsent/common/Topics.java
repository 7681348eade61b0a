package io.finsent.common;

import java.util.ArrayList;
import java.util.List;

import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

import io.finsent.schema.AlertEvent;
import io.finsent.schema.DeadLetter;
import io.finsent.schema.FeedDefinition;
import io.finsent.schema.RawText;
import io.finsent.schema.ScoredText;
import io.finsent.schema.TopicDefinition;
import io.finsent.schema.TopicTrendWindow;
import io.finsent.schemas.SchemaSet;
import io.finsent.schemas.TopicCatalogue;

/**
 * Every Kafka topic of the system paired with its key and value serdes, so no call site can mismatch
 * them. The names, partitions and configs come from the topic catalogue ({@code schemas/topics.yaml});
 * a test checks that the two agree.
 */
public final class Topics {

    /** A topic with its serdes. */
    public record Topic<V extends SpecificRecord>(String name, Class<V> valueType, Serde<String> keySerde, Serde<V> valueSerde) {
    }

    private static final TopicCatalogue CATALOGUE = TopicCatalogue.load();

    /** Every released schema version, parsed once for all topics (oldest first). */
    private static final List<SchemaSet> RELEASED = SchemaSet.releasedVersions();

    public static final Topic<RawText> RAW_TEXT = topic("text.raw", RawText.class, RawText.getClassSchema());
    public static final Topic<ScoredText> SCORED_TEXT = topic("text.scored", ScoredText.class, ScoredText.getClassSchema());
    public static final Topic<DeadLetter> DEAD_LETTERS = topic("text.dlq", DeadLetter.class, DeadLetter.getClassSchema());
    public static final Topic<TopicDefinition> TOPIC_CONFIG = topic("topic.config", TopicDefinition.class, TopicDefinition.getClassSchema());
    public static final Topic<FeedDefinition> FEED_CONFIG = topic("feed.config", FeedDefinition.class, FeedDefinition.getClassSchema());
    public static final Topic<TopicTrendWindow> TOPIC_TRENDS = topic("topic.trends", TopicTrendWindow.class, TopicTrendWindow.getClassSchema());
    public static final Topic<AlertEvent> ALERT_EVENTS = topic("alert.events", AlertEvent.class, AlertEvent.getClassSchema());

    public static final List<Topic<?>> ALL = List.of(RAW_TEXT, SCORED_TEXT, DEAD_LETTERS, TOPIC_CONFIG, FEED_CONFIG, TOPIC_TRENDS, ALERT_EVENTS);

    private Topics() {
    }

    private static <V extends SpecificRecord> Topic<V> topic(String name, Class<V> type, Schema current) {
        CATALOGUE.topic(name);
        return new Topic<>(name, type, Serdes.String(), new AvroSerde<>(type, current, releasedVersionsOf(current.getName())));
    }

    /** Every released version of a record schema, oldest first. */
    static List<Schema> releasedVersionsOf(String recordName) {
        List<Schema> versions = new ArrayList<>();
        for (SchemaSet released : RELEASED) {
            Schema schema = released.byName().get(recordName);
            if (schema != null) {
                versions.add(schema);
            }
        }
        return versions;
    }
}
