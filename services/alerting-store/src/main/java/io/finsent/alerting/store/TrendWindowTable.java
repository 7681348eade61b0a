package io.finsent.alerting.store;

import java.time.Instant;
import java.util.List;

import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.config.RegisterRowMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import io.finsent.alerting.trends.TrendPoint;
import io.finsent.schema.TopicTrendWindow;

/**
 * Table {@code trend_window}: one closed event-time window of one topic in one run (live or a replay), upserted, so a redelivery or
 * a replay writes the same values. Ranges are window starts in {@code [from, to)}.
 */
@RegisterRowMapper(TrendPointMapper.class)
@RegisterConstructorMapper(TrendWindowTable.TrendRow.class)
@RegisterConstructorMapper(TrendWindowTable.Totals.class)
@RegisterConstructorMapper(TrendWindowTable.Span.class)
public interface TrendWindowTable {

    /** Bounds for "unbounded" ends of a range. */
    Instant NO_START = Instant.EPOCH;
    Instant NO_END = Instant.parse("9999-01-01T00:00:00Z");

    /** One row, every column but the run id; doubles compared bit for bit when runs are compared. */
    record TrendRow(String topic, Instant windowStart, long windowSizeMs, long count, long negative, long neutral, long positive, double meanScore,
               double scoreStddev, double meanPNegative) {

        public static TrendRow of(TopicTrendWindow w) {
            return new TrendRow(w.getTopic(), w.getWindowStart(), w.getWindowSizeMs(), w.getCount(), w.getNegative(), w.getNeutral(), w.getPositive(),
                    w.getMeanScore(), w.getScoreStddev(), w.getMeanPNegative());
        }

        /** A window as the rules see it, with its mean negative probability (tests and tools that make windows up). */
        public static TrendRow of(TrendPoint p, double meanPNegative) {
            return new TrendRow(p.topic(), Instant.ofEpochMilli(p.windowStart()), p.windowSizeMs(), p.count(), p.negative(), p.neutral(),
                    p.positive(), p.meanScore(), p.scoreStddev(), meanPNegative);
        }

        public TrendPoint toPoint() {
            return new TrendPoint(topic, windowStart.toEpochMilli(), windowSizeMs, count, negative, neutral, positive, meanScore, scoreStddev);
        }
    }

    /** How many windows of one size a run has, and the texts counted in them (a text once per topic it matched). */
    record Totals(long windowSizeMs, long windows, long texts) {
    }

    /** The first and last window start of a run; both null for a run without windows. */
    record Span(Instant first, Instant last) {
    }

    /** Writes a closed window of a run. */
    @SqlUpdate("""
            INSERT INTO trend_window (run_id, topic, window_start, window_size_ms, count, negative, neutral, positive,
                                      mean_score, score_stddev, mean_p_negative)
            VALUES (:runId, :topic, :windowStart, :windowSizeMs, :count, :negative, :neutral, :positive,
                    :meanScore, :scoreStddev, :meanPNegative)
            ON CONFLICT (run_id, topic, window_size_ms, window_start) DO UPDATE SET
                count = EXCLUDED.count, negative = EXCLUDED.negative, neutral = EXCLUDED.neutral,
                positive = EXCLUDED.positive, mean_score = EXCLUDED.mean_score, score_stddev = EXCLUDED.score_stddev,
                mean_p_negative = EXCLUDED.mean_p_negative
            """)
    void upsert(@Bind("runId") String runId, @BindMethods TrendRow window);

    /** The topic's last {@code limit} windows of one size before {@code before}, newest first. */
    @SqlQuery("""
            SELECT topic, window_start, window_size_ms, count, negative, neutral, positive, mean_score, score_stddev
              FROM trend_window
             WHERE run_id = :run AND topic = :topic AND window_size_ms = :sizeMs AND window_start < :before
             ORDER BY window_start DESC LIMIT :limit
            """)
    List<TrendPoint> latestBefore(@Bind("run") String run, @Bind("topic") String topic, @Bind("sizeMs") long windowSizeMs,
                                  @Bind("before") Instant before, @Bind("limit") int limit);

    /** A run's windows in a range as the rules see them, by topic, size and start, at most {@code limit}. */
    @SqlQuery("""
            SELECT topic, window_start, window_size_ms, count, negative, neutral, positive, mean_score, score_stddev
              FROM trend_window WHERE run_id = :run AND window_start >= :from AND window_start < :to
             ORDER BY topic, window_size_ms, window_start LIMIT :limit
            """)
    List<TrendPoint> points(@Bind("run") String run, @Bind("from") Instant from, @Bind("to") Instant to, @Bind("limit") int limit);

    /** A run's rows in a range, every column, by topic, size and start. */
    @SqlQuery("""
            SELECT topic, window_start, window_size_ms, count, negative, neutral, positive, mean_score, score_stddev, mean_p_negative
              FROM trend_window WHERE run_id = :run AND window_start >= :from AND window_start < :to
             ORDER BY topic, window_size_ms, window_start
            """)
    List<TrendRow> rows(@Bind("run") String run, @Bind("from") Instant from, @Bind("to") Instant to);

    /** A run's windows in a range and the texts counted in them, per window size, smallest first. */
    @SqlQuery("""
            SELECT window_size_ms, count(*) AS windows, coalesce(sum(count), 0) AS texts FROM trend_window
             WHERE run_id = :run AND window_start >= :from AND window_start < :to
             GROUP BY window_size_ms ORDER BY window_size_ms
            """)
    List<Totals> totals(@Bind("run") String run, @Bind("from") Instant from, @Bind("to") Instant to);

    /** The texts a topic's windows of one size starting in {@code [from, to)} counted. */
    @SqlQuery("""
            SELECT coalesce(sum(count), 0) FROM trend_window
             WHERE run_id = :run AND topic = :topic AND window_size_ms = :sizeMs AND window_start >= :from AND window_start < :to
            """)
    long counted(@Bind("run") String run, @Bind("topic") String topic, @Bind("sizeMs") long windowSizeMs, @Bind("from") Instant from,
                 @Bind("to") Instant to);

    /** How many of a run's topics have a window starting at or after {@code start}. */
    @SqlQuery("SELECT count(*) FROM (SELECT topic FROM trend_window WHERE run_id = :run GROUP BY topic HAVING max(window_start) >= :start) t")
    int topicsWithWindowFrom(@Bind("run") String run, @Bind("start") Instant start);

    @SqlQuery("SELECT min(window_start) AS first, max(window_start) AS last FROM trend_window WHERE run_id = :run")
    Span span(@Bind("run") String run);

    @SqlUpdate("DELETE FROM trend_window WHERE run_id = :run")
    int deleteRun(@Bind("run") String run);

    // --- API reads (dashboard and /v1 endpoints) below this line.

    /**
     * A trend row of one topic as {@code GET /v1/trends} answers it: a stored window, or a rollup of them ({@code windows}: how
     * many; absent for a stored window).
     */
    // mean_p_negative by name: snake case alone would write meanPNegative as mean_pnegative.
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Trend(Instant windowStart, long windowSizeMs, long count, long negative, long neutral, long positive, double meanScore,
                 double scoreStddev, @JsonProperty("mean_p_negative") double meanPNegative,
                 @JsonInclude(JsonInclude.Include.NON_NULL) Long windows) {
    }

    /** The topic's stored windows in a range, by start and size, at most {@code limit}. */
    @SqlQuery("""
            SELECT window_start, window_size_ms, count, negative, neutral, positive, mean_score, score_stddev, mean_p_negative,
                   CAST(NULL AS bigint) AS windows
              FROM trend_window WHERE run_id = :run AND topic = :topic AND window_start >= :from AND window_start < :to
             ORDER BY window_start, window_size_ms LIMIT :limit
            """)
    @RegisterConstructorMapper(Trend.class)
    List<Trend> trends(@Bind("run") String run, @Bind("topic") String topic, @Bind("from") Instant from, @Bind("to") Instant to,
                       @Bind("limit") int limit);

    /**
     * The topic's windows in a range rolled up by {@code unit} ({@code hour} or {@code day}, UTC; rows of {@code sizeMs}): counts
     * summed, means weighted by count, the pooled standard deviation; by start, at most {@code limit}.
     */
    @SqlQuery("""
            SELECT date_trunc(:unit, window_start AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS window_start,
                   CAST(:sizeMs AS bigint) AS window_size_ms,
                   sum(count)::bigint AS count, sum(negative)::bigint AS negative, sum(neutral)::bigint AS neutral,
                   sum(positive)::bigint AS positive,
                   COALESCE(sum(mean_score * count) / NULLIF(sum(count), 0), 0) AS mean_score,
                   COALESCE(sqrt(greatest(0, sum(count * (score_stddev * score_stddev + mean_score * mean_score)) / NULLIF(sum(count), 0)
                        - power(sum(mean_score * count) / NULLIF(sum(count), 0), 2))), 0) AS score_stddev,
                   COALESCE(sum(mean_p_negative * count) / NULLIF(sum(count), 0), 0) AS mean_p_negative,
                   count(*) AS windows
              FROM trend_window
             WHERE run_id = :run AND topic = :topic AND window_start >= :from AND window_start < :to
             GROUP BY 1 ORDER BY 1 LIMIT :limit
            """)
    @RegisterConstructorMapper(Trend.class)
    List<Trend> rollup(@Bind("unit") String unit, @Bind("sizeMs") long sizeMs, @Bind("run") String run, @Bind("topic") String topic,
                       @Bind("from") Instant from, @Bind("to") Instant to, @Bind("limit") int limit);

    /** Per topic and UTC hour of a run's windows in a range: texts, negative texts, and the count-weighted mean score (null for none). */
    record HourBucket(String topic, Instant bucket, long count, long negative, Double meanScore) {
    }

    @SqlQuery("""
            SELECT topic, date_trunc('hour', window_start AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS bucket,
                   sum(count) AS count, sum(negative) AS negative,
                   sum(mean_score * count) / NULLIF(sum(count), 0) AS mean_score
              FROM trend_window WHERE run_id = :run AND window_start >= :from AND window_start < :to
             GROUP BY topic, bucket ORDER BY topic, bucket
            """)
    @RegisterConstructorMapper(HourBucket.class)
    List<HourBucket> hourBuckets(@Bind("run") String run, @Bind("from") Instant from, @Bind("to") Instant to);

    /** A run with trend rows ({@code GET /v1/runs}): its windows, texts, topics, first and last window start, and alerts. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record RunSummary(String runId, long trendWindows, long texts, long topics, Instant firstWindow, Instant lastWindow, long alerts) {
    }

    @SqlQuery("""
            SELECT t.run_id, count(*) AS trend_windows, sum(t.count)::bigint AS texts, count(DISTINCT t.topic) AS topics,
                   min(t.window_start) AS first_window, max(t.window_start) AS last_window,
                   (SELECT count(*) FROM alert a WHERE a.run_id = t.run_id) AS alerts
              FROM trend_window t GROUP BY t.run_id ORDER BY t.run_id
            """)
    @RegisterConstructorMapper(RunSummary.class)
    List<RunSummary> runs();
}
