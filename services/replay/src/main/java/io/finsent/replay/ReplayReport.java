package io.finsent.replay;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

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

    /** Every field under its snake_case name, in declaration order: as {@code ./monitor replay --json} and the REST API show it. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("run_id", runId);
        m.put("from", from.toString());
        m.put("to", to.toString());
        m.put("source", source);
        m.put("resumed", resumed);
        m.put("staged", staged);
        m.put("input_records", inputRecords);
        m.put("scored", scored);
        m.put("dead_letters", deadLetters);
        m.put("late", late);
        m.put("trend_windows", trendWindows);
        m.put("trend_rows", trendRows);
        m.put("seconds", seconds);
        m.put("texts_per_second", textsPerSecond);
        return m;
    }
}
