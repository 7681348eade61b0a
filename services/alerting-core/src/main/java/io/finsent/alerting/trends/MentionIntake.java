package io.finsent.alerting.trends;

import java.time.Duration;

import java.util.LinkedHashSet;
import java.util.Set;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

import io.finsent.common.DeadLetters;
import io.finsent.common.Topics;
import io.finsent.schema.ScoredText;
import io.finsent.schema.TopicMatch;

/**
 * First step of the trend topology: decodes a scored text and forwards one {@link TopicMention} per distinct
 * topic it matched, keyed by the topic and timestamped with its publication time (event time). Decoding happens
 * here, not in the source's deserialiser, so a bad record becomes a dead letter in the same transaction, with
 * its original bytes and its record timestamp.
 */
final class MentionIntake implements Processor<String, byte[], String, Object> {

    private final long tickMs;
    private final long idleAfterMs;
    private ProcessorContext<String, Object> context;
    private long seen = Long.MIN_VALUE;
    private long lastTick = Long.MIN_VALUE;
    private long lastTextAt;
    private boolean idle;

    /**
     * @param tickMs      a watermark is sent each time this partition's event time enters a new tick
     * @param idleAfterMs wall-clock quiet after which this partition says it is idle
     */
    MentionIntake(long tickMs, long idleAfterMs) {
        this.tickMs = tickMs;
        this.idleAfterMs = idleAfterMs;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.lastTextAt = context.currentSystemTimeMs();
        context.schedule(Duration.ofMillis(Math.max(100, idleAfterMs / 4)), PunctuationType.WALL_CLOCK_TIME, this::checkIdle);
    }

    /**
     * A partition that brings nothing holds every window open; once it has been quiet for {@code idleAfter} it
     * says so, again at every check while it stays quiet, and the window tasks decide how it counts in their
     * watermark ({@link TrendWindows}: as the wall clock less the idle period). The wall clock decides only when
     * windows of a quiet input close, never what they hold.
     */
    private void checkIdle(long now) {
        if (now - lastTextAt >= idleAfterMs) {
            idle = true;
            context.forward(new Record<String, Object>(EndOfInput.KEY, TopicMention.idle(context.taskId().partition(), lastTextAt),
                    Math.max(0, Math.min(seen, now))));
        }
    }

    @Override
    public void process(Record<String, byte[]> record) {
        RecordMetadata origin = context.recordMetadata().orElse(null);
        String originTopic = origin == null ? null : origin.topic();
        int partition = context.taskId().partition();
        lastTextAt = context.currentSystemTimeMs();
        if (idle) {
            idle = false;
            lastTick = Long.MIN_VALUE; // back: report this partition's event time with the next text
        }
        if (EndOfInput.isMarker(record.key())) {
            // The end of a bounded input: a watermark to every window task, at the marker's time; never counted.
            context.forward(new Record<String, Object>(EndOfInput.KEY, TopicMention.watermark(partition), record.timestamp()));
            return;
        }
        if (record.value() == null) {
            reject(record, origin, TrendTopology.STAGE_DESERIALIZE, "null value: text.scored takes no tombstones");
            return;
        }
        ScoredText text;
        try {
            text = Topics.SCORED_TEXT.valueSerde().deserializer().deserialize(originTopic, record.value());
        } catch (SerializationException e) {
            reject(record, origin, TrendTopology.STAGE_DESERIALIZE, e.getMessage());
            return;
        }
        String invalid = validate(text);
        if (invalid != null) {
            reject(record, origin, TrendTopology.STAGE_VALIDATE, invalid);
            return;
        }
        Set<String> topics = new LinkedHashSet<>();
        for (TopicMatch match : text.getTopics()) {
            topics.add(match.getTopic());
        }
        long eventTime = text.getPublishedAt().toEpochMilli();
        for (String topic : topics) {
            TopicMention mention = new TopicMention(text.getLabel(), TopicMention.toNanos(text.getScore()),
                    TopicMention.toNanos(text.getPNegative()), record.key(), originTopic, origin == null ? -1 : origin.partition(),
                    origin == null ? -1 : origin.offset(), record.value());
            context.forward(new Record<String, Object>(topic, mention, eventTime, record.headers()));
        }
        // This partition's event time, sent to every window task once per tick: a window closes when all source
        // partitions have passed its end plus the grace, however far apart their backlogs are. Never past the wall
        // clock: a text dated in the future waits in its window, it does not close the present's windows early and
        // make every on-time text of the other partitions late.
        seen = Math.max(seen, eventTime);
        long mark = Math.min(seen, context.currentSystemTimeMs());
        long tick = Math.floorDiv(mark, tickMs);
        if (tick > lastTick) {
            lastTick = tick;
            context.forward(new Record<String, Object>(EndOfInput.KEY, TopicMention.watermark(partition), mark));
        }
    }

    private static String validate(ScoredText text) {
        if (text.getPublishedAt().toEpochMilli() < 0) {
            return "published_at " + text.getPublishedAt() + " is before 1970: event-time windows start at the epoch";
        }
        if (!(text.getScore() >= -1 && text.getScore() <= 1)) {
            return "score " + text.getScore() + " is outside [-1, 1]";
        }
        if (!(text.getPNegative() >= 0 && text.getPNegative() <= 1)) {
            return "p_negative " + text.getPNegative() + " is outside [0, 1]";
        }
        for (TopicMatch match : text.getTopics()) {
            if (match.getTopic().isEmpty() || match.getTopic().contains("|")) {
                return "topic '" + match.getTopic() + "' is empty or contains '|' (the trend key's separator)";
            }
        }
        return null;
    }

    private void reject(Record<String, byte[]> record, RecordMetadata origin, String stage, String reason) {
        context.forward(record.withValue(DeadLetters.of(stage, reason, record.key(), record.value(), origin == null ? null : origin.topic(),
                origin == null ? null : origin.partition(), origin == null ? null : origin.offset(), record.timestamp())));
    }
}
