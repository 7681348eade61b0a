package io.finsent.scoring;

import java.time.Instant;

import io.finsent.common.Topics;

/**
 * Where the scoring topology reads and writes, and which event times it takes: live reads {@code text.raw}
 * unbounded; a replay reads a range of it (or a run's own raw topic) and writes a run's own scored and
 * dead-letter topics. Records outside {@code [from, until)} by record timestamp (the publication time) are
 * skipped silently: they are outside the replay, not bad.
 *
 * @param rawTopic        source of raw texts
 * @param scoredTopic     sink of scored texts
 * @param deadLetterTopic sink of dead letters
 * @param from            first record timestamp taken (inclusive), or null for no lower bound
 * @param until           record timestamps from this one on are skipped (exclusive), or null for no upper bound
 */
public record ScorerRoute(String rawTopic, String scoredTopic, String deadLetterTopic, Instant from, Instant until) {

    public ScorerRoute {
        if (rawTopic == null || rawTopic.isBlank() || scoredTopic == null || scoredTopic.isBlank() || deadLetterTopic == null
                || deadLetterTopic.isBlank()) {
            throw new IllegalArgumentException("scorer topics must be non-blank: " + rawTopic + ", " + scoredTopic + ", " + deadLetterTopic);
        }
        if (from != null && until != null && !from.isBefore(until)) {
            throw new IllegalArgumentException("the event-time range is empty: from " + from + " is not before until " + until);
        }
    }

    /** The live route: text.raw to text.scored and text.dlq, every record. */
    public static ScorerRoute live() {
        return new ScorerRoute(Topics.RAW_TEXT.name(), Topics.SCORED_TEXT.name(), Topics.DEAD_LETTERS.name(), null, null);
    }

    /** Whether a record with this timestamp is inside the range. */
    public boolean includes(long timestamp) {
        return (from == null || timestamp >= from.toEpochMilli()) && (until == null || timestamp < until.toEpochMilli());
    }
}
