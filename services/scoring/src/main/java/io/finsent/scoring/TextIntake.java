package io.finsent.scoring;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

import io.finsent.common.DeadLetters;
import io.finsent.common.Topics;
import io.finsent.schema.RawText;

/**
 * First step of the scorer: decodes and validates a raw record. Decoding happens here rather than in
 * the source's deserialiser so a bad record becomes a dead letter inside the same transaction as
 * everything else (exactly once), with its original bytes.
 */
final class TextIntake implements Processor<String, byte[], String, Object> {

    private final ScorerSettings settings;
    private final ScorerRoute route;
    private final ScorerMetrics metrics;
    private ProcessorContext<String, Object> context;

    TextIntake(ScorerSettings settings, ScorerRoute route, ScorerMetrics metrics) {
        this.settings = settings;
        this.route = route;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
    }

    @Override
    public void process(Record<String, byte[]> record) {
        if (!route.includes(record.timestamp())) {
            return; // outside a replay's event-time range: not part of this run
        }
        RecordMetadata origin = context.recordMetadata().orElse(null);
        String rejection = null;
        String stage = ScorerTopology.STAGE_VALIDATE;
        if (record.value() == null) {
            rejection = "null value: text.raw takes no tombstones";
        } else {
            try {
                RawText text = Topics.RAW_TEXT.valueSerde().deserializer().deserialize(origin == null ? null : origin.topic(), record.value());
                rejection = validate(record.key(), text);
            } catch (SerializationException e) {
                stage = ScorerTopology.STAGE_DESERIALIZE;
                rejection = e.getMessage();
            }
        }
        if (rejection != null) {
            metrics.deadLetter(stage);
            context.forward(record.withValue(DeadLetters.of(stage, rejection, record.key(), record.value(), origin == null ? null : origin.topic(),
                    origin == null ? null : origin.partition(), origin == null ? null : origin.offset(), record.timestamp())));
            return;
        }
        context.forward(record.withValue(new PendingText(origin == null ? "" : origin.topic(), origin == null ? -1 : origin.partition(),
                origin == null ? -1 : origin.offset(), record.timestamp(), record.value())));
    }

    private String validate(String key, RawText text) {
        if (key == null) {
            return "null key: the key of text.raw must be the item id (" + text.getId() + ")";
        }
        if (!key.equals(text.getId())) {
            return "key '" + abbreviate(key) + "' is not the item id '" + abbreviate(text.getId()) + "'";
        }
        String body = text.getBody();
        if (body.isBlank() && (text.getTitle() == null || text.getTitle().isBlank())) {
            return "empty text: neither title nor body has any characters to score";
        }
        int length = body.length() + (text.getTitle() == null ? 0 : text.getTitle().length());
        if (length > settings.maxTextChars()) {
            return "text of " + length + " characters exceeds scorer.max-text-chars=" + settings.maxTextChars();
        }
        return null;
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
