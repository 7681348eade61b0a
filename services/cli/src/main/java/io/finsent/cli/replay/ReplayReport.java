package io.finsent.cli.replay;

import java.time.Instant;

/**
 * The outcome of one replay.
 *
 * @param resumed       whether an earlier replay of the same run id had started (this one continued it)
 * @param staged        texts written from archive files to the run's raw topic (0 when reading a topic)
 * @param inputRecords  records of the source between the range's first offsets and the end offsets at start
 * @param scored        texts scored in this session (a resumed run scored the rest before)
 * @param deadLetters   dead letters of the run, late ones included
 * @param late          texts later than the grace (stage {@code alerting.late}): not in any window
 * @param trendWindows  trend windows of the run in {@code topic.trends}
 * @param trendRows     trend rows of the run in PostgreSQL, or -1 when not checked
 * @param seconds       wall-clock time of this session
 * @param textsPerSecond scored texts per second of scoring time
 */
public record ReplayReport(String runId, Instant from, Instant to, String source, boolean resumed, long staged, long inputRecords,
                           long scored, long deadLetters, long late, long trendWindows, long trendRows, double seconds,
                           double textsPerSecond) {
}
