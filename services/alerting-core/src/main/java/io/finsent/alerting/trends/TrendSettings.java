package io.finsent.alerting.trends;

import java.time.Duration;

import io.finsent.common.Topics;
import io.finsent.schemas.TopicCatalogue;

/**
 * How the trend topology windows scored texts.
 *
 * @param runId      'live', or the replay's run id; part of every trend key and record
 * @param windowSize tumbling window size (default 1 minute)
 * @param grace      how long after a window's end (in event time) late records are still counted; later ones
 *                   go to the dead-letter topic with stage {@code alerting.late}, never silently dropped
 * @param scoredTopic     source of scored texts ({@code text.scored} live, a run's own topic in a replay)
 * @param deadLetterTopic sink of dead letters ({@code text.dlq} live, a run's own topic in a replay)
 * @param sourcePartitions partitions of the scored topic: a window closes once every one of them has passed its
 *                         end plus the grace (the catalogue's count of {@code text.scored} by default)
 * @param idleAfter a source partition with no text for this long (wall clock) stops holding windows open until
 *                  its next text (5 minutes by default: long enough that a partition waiting for a busy scorer during a backlog is not taken
 *                  for a quiet one); a text it then brings for a window already closed is late
 */
public record TrendSettings(String runId, Duration windowSize, Duration grace, String scoredTopic, String deadLetterTopic,
                            int sourcePartitions, Duration idleAfter) {

    /** How long a quiet source partition holds windows open by default. */
    public static final Duration IDLE_AFTER = Duration.ofMinutes(5);

    public static final String LIVE = "live";

    public TrendSettings {
        if (runId == null || runId.isBlank() || runId.contains("|")) {
            throw new IllegalArgumentException("run id must be non-blank and free of '|' (it is part of the trend key), was '" + runId + "'");
        }
        if (windowSize == null || windowSize.toMillis() <= 0) {
            throw new IllegalArgumentException("window size must be at least 1 ms, was " + windowSize);
        }
        if (grace == null || grace.isNegative()) {
            throw new IllegalArgumentException("grace must be zero or positive, was " + grace);
        }
        if (scoredTopic == null || scoredTopic.isBlank() || deadLetterTopic == null || deadLetterTopic.isBlank()) {
            throw new IllegalArgumentException("topics must be non-blank, were '" + scoredTopic + "' and '" + deadLetterTopic + "'");
        }
        if (sourcePartitions < 1) {
            throw new IllegalArgumentException("the scored topic needs at least one partition, was " + sourcePartitions);
        }
        if (idleAfter == null || idleAfter.toMillis() <= 0) {
            throw new IllegalArgumentException("idle-after must be positive, was " + idleAfter);
        }
    }

    public TrendSettings(String runId, Duration windowSize, Duration grace, String scoredTopic, String deadLetterTopic,
                         int sourcePartitions) {
        this(runId, windowSize, grace, scoredTopic, deadLetterTopic, sourcePartitions, IDLE_AFTER);
    }

    /** With as many source partitions as the catalogue gives {@code text.scored}. */
    public TrendSettings(String runId, Duration windowSize, Duration grace, String scoredTopic, String deadLetterTopic) {
        this(runId, windowSize, grace, scoredTopic, deadLetterTopic, TopicCatalogue.load().topic(Topics.SCORED_TEXT.name()).partitions());
    }

    /** Reads {@code text.scored} and writes dead letters to {@code text.dlq}, as live does. */
    public TrendSettings(String runId, Duration windowSize, Duration grace) {
        this(runId, windowSize, grace, Topics.SCORED_TEXT.name(), Topics.DEAD_LETTERS.name());
    }

    /** The same settings reading scored texts from {@code scored} and writing dead letters to {@code deadLetters}. */
    public TrendSettings withTopics(String scored, String deadLetters) {
        return new TrendSettings(runId, windowSize, grace, scored, deadLetters, sourcePartitions, idleAfter);
    }

    /** The same settings with another idle time for quiet source partitions. */
    public TrendSettings withIdleAfter(Duration idle) {
        return new TrendSettings(runId, windowSize, grace, scoredTopic, deadLetterTopic, sourcePartitions, idle);
    }

    /** The same settings for a scored topic of {@code partitions} partitions. */
    public TrendSettings withSourcePartitions(int partitions) {
        return new TrendSettings(runId, windowSize, grace, scoredTopic, deadLetterTopic, partitions, idleAfter);
    }

    public static TrendSettings defaults() {
        return new TrendSettings(LIVE, Duration.ofMinutes(1), Duration.ofSeconds(30));
    }
}
