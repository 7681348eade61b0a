package io.finsent.alerting.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindMethodsList;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import io.finsent.schema.ScoredText;
import io.finsent.schema.TopicMatch;

/**
 * Tables {@code scored_text} and {@code scored_text_topic}: every scored text of a run with its labels and probabilities,
 * and under each topic it matched. Inserts never overwrite ({@code ON CONFLICT DO NOTHING}): a redelivered text changes
 * nothing. Ranges are {@code published_at} in {@code [from, to)}.
 */
@RegisterConstructorMapper(ScoredTextTable.Text.class)
public interface ScoredTextTable {

    /** Columns of a text as read back, in this order. */
    String COLUMNS = "t.text_id, t.published_at, t.source_kind, t.source, t.title, t.url, t.body, t.tickers, t.topics, t.label, "
            + "t.p_negative, t.p_neutral, t.p_positive, t.score, t.category, t.model";

    /** The join behind a topic's texts published in {@code [from, to)}. */
    String OF_TOPIC = """
              FROM scored_text_topic x JOIN scored_text t ON t.run_id = x.run_id AND t.text_id = x.text_id
             WHERE x.run_id = :run AND x.topic = :topic AND x.published_at >= :from AND x.published_at < :to
            """;

    /** One scored text (its run is the query's), as the API shows it. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Text(@JsonProperty("id") String textId, Instant publishedAt, String sourceKind, String source, String title, String url, String body,
                List<String> tickers, List<String> topics, String label, double pNegative, double pNeutral, double pPositive,
                double score, String category, String model) {

        /** A scored text as the scorer wrote it; its topics are the distinct topics it matched, in order. */
        public static Text of(ScoredText t) {
            return new Text(t.getId(), t.getPublishedAt(), t.getSourceKind().name(), t.getSource(), t.getTitle(), t.getUrl(), t.getBody(),
                    List.copyOf(t.getTickers()), t.getTopics().stream().map(TopicMatch::getTopic).distinct().toList(),
                    t.getLabel().name(), t.getPNegative(), t.getPNeutral(), t.getPPositive(), t.getScore(), null,
                    t.getModelName() + " " + t.getModelVersion());
        }

        /** The row's arrays as PostgreSQL binds them. */
        public String[] tickerArray() {
            return tickers.toArray(String[]::new);
        }

        public String[] topicArray() {
            return topics.toArray(String[]::new);
        }
    }

    /** One text under one topic. */
    record TopicRow(String topic, Instant publishedAt, String textId) {
    }

    /**
     * Writes texts of a run in one statement (one multi-row INSERT, not a JDBC batch: PgJDBC's batch path throws an
     * AssertionError instead of an SQLException when the connection drops mid-batch); a text already there is left as it
     * is. At most {@link #MAX_ROWS_PER_INSERT} texts per call.
     *
     * @return texts written that were not there before
     */
    @SqlUpdate("""
            INSERT INTO scored_text (run_id, text_id, published_at, source_kind, source, title, url, body, tickers, topics, label,
                                     p_negative, p_neutral, p_positive, score, category, model)
            SELECT CAST(:runId AS text), v.* FROM (VALUES <texts>) AS v (text_id, published_at, source_kind, source, title, url, body,
                   tickers, topics, label, p_negative, p_neutral, p_positive, score, category, model)
            ON CONFLICT (run_id, text_id) DO NOTHING
            """)
    int insert(@Bind("runId") String runId, @BindMethodsList(value = "texts", methodNames = {"textId", "publishedAt", "sourceKind", "source",
            "title", "url", "body", "tickerArray", "topicArray", "label", "pNegative", "pNeutral", "pPositive", "score", "category", "model"})
            List<Text> texts);

    /** Texts one {@link #insert} may write (17 parameters each, under PostgreSQL's 65,535 per statement). */
    int MAX_ROWS_PER_INSERT = 1000;

    /** Topic rows one {@link #insertTopics} may write (3 parameters each). */
    int MAX_TOPIC_ROWS_PER_INSERT = 10_000;

    /** Files texts under their topics, in one statement; rows already there are left as they are. */
    @SqlUpdate("""
            INSERT INTO scored_text_topic (run_id, topic, published_at, text_id)
            SELECT CAST(:runId AS text), v.* FROM (VALUES <rows>) AS v (topic, published_at, text_id)
            ON CONFLICT DO NOTHING
            """)
    int insertTopics(@Bind("runId") String runId, @BindMethodsList(value = "rows", methodNames = {"topic", "publishedAt", "textId"})
            List<TopicRow> rows);

    @SqlQuery("SELECT " + COLUMNS + " FROM scored_text t WHERE t.run_id = :run AND t.text_id = :id")
    Optional<Text> find(@Bind("run") String run, @Bind("id") String id);

    /** A topic's texts published in {@code [from, to)}, oldest first (ties by id). */
    @SqlQuery("SELECT " + COLUMNS + OF_TOPIC + " ORDER BY x.published_at, x.text_id LIMIT :limit")
    List<Text> ofTopic(@Bind("run") String run, @Bind("topic") String topic, @Bind("from") Instant from, @Bind("to") Instant to,
                       @Bind("limit") int limit);

    /**
     * Which texts an analyst may read: those with a topic of one of their subscriptions (any topic for a {@code *} one);
     * every text for a null {@code :analyst} (an admin).
     */
    String READABLE = """
            (CAST(:analyst AS bigint) IS NULL
             OR EXISTS (SELECT 1 FROM subscription s WHERE s.analyst_id = :analyst AND s.deleted_at IS NULL
                           AND (s.topic = '*' OR s.topic = ANY (t.topics))))
            """;

    /** The optional filters of a page: label, category, text search, and the cursor (the last row of the page before). */
    String FILTERS = """
               AND (CAST(:label AS text) IS NULL OR t.label = :label)
               AND (CAST(:category AS text) IS NULL OR t.category = :category)
               AND (CAST(:q AS text) IS NULL OR t.search @@ websearch_to_tsquery('english', :q))
               AND (CAST(:afterAt AS timestamptz) IS NULL OR (t.published_at, t.text_id) < (:afterAt, :afterId))
            """;

    /** A page of a run's readable texts published in {@code [from, to)}, newest first (ties by id, descending). */
    @SqlQuery("SELECT " + COLUMNS + " FROM scored_text t WHERE t.run_id = :run AND t.published_at >= :from AND t.published_at < :to AND "
            + READABLE + FILTERS + " ORDER BY t.published_at DESC, t.text_id DESC LIMIT :limit")
    List<Text> page(@Bind("run") String run, @Bind("analyst") Long analystId, @Bind("from") Instant from, @Bind("to") Instant to,
                    @Bind("label") String label, @Bind("category") String category, @Bind("q") String query,
                    @Bind("afterAt") Instant afterAt, @Bind("afterId") String afterId, @Bind("limit") int limit);

    /** The same for one topic's texts, through the topic and time index. */
    @SqlQuery("SELECT " + COLUMNS + OF_TOPIC + " AND " + READABLE + FILTERS + " ORDER BY t.published_at DESC, t.text_id DESC LIMIT :limit")
    List<Text> pageOfTopic(@Bind("run") String run, @Bind("topic") String topic, @Bind("analyst") Long analystId, @Bind("from") Instant from,
                           @Bind("to") Instant to, @Bind("label") String label, @Bind("category") String category, @Bind("q") String query,
                           @Bind("afterAt") Instant afterAt, @Bind("afterId") String afterId, @Bind("limit") int limit);

    /** A text of the run, and whether the analyst may read it (always for a null {@code analystId}). */
    record Readable(@org.jdbi.v3.core.mapper.Nested Text text, boolean readable) {
    }

    @SqlQuery("SELECT " + COLUMNS + ", " + READABLE + " AS readable FROM scored_text t WHERE t.run_id = :run AND t.text_id = :id")
    @RegisterConstructorMapper(Readable.class)
    Optional<Readable> readableBy(@Bind("run") String run, @Bind("id") String id, @Bind("analyst") Long analystId);

    /** Whether the analyst subscribes to the topic (or to every topic); true for a null {@code analystId}. */
    @SqlQuery("""
            SELECT CAST(:analyst AS bigint) IS NULL OR EXISTS (SELECT 1 FROM subscription s WHERE s.analyst_id = :analyst
                   AND s.deleted_at IS NULL AND (s.topic = '*' OR s.topic = :topic))
            """)
    boolean subscribes(@Bind("analyst") Long analystId, @Bind("topic") String topic);

    /** A topic's texts in a range, counted, and the distinct sources they came from. */
    record Tally(long texts, long sources) {
    }

    /** Evidence for a tone rule: the topic's most negative texts of the range first (ties: oldest first, then by id). */
    @SqlQuery("SELECT " + COLUMNS + OF_TOPIC + " ORDER BY t.p_negative DESC, t.published_at, t.text_id LIMIT :limit")
    List<Text> mostNegative(@Bind("run") String run, @Bind("topic") String topic, @Bind("from") Instant from, @Bind("to") Instant to,
                            @Bind("limit") int limit);

    /**
     * Evidence for volume: the range's first text from each source, the sources with the most texts first, then each one's
     * second text, and so on; the breadth of a surge before its depth.
     */
    @SqlQuery("SELECT " + COLUMNS + " FROM (SELECT t.*, row_number() OVER (PARTITION BY t.source ORDER BY t.published_at, t.text_id) AS nth,"
            + " count(*) OVER (PARTITION BY t.source) AS per_source" + OF_TOPIC + ") t"
            + " ORDER BY t.nth, t.per_source DESC, t.source, t.published_at, t.text_id LIMIT :limit")
    List<Text> bySource(@Bind("run") String run, @Bind("topic") String topic, @Bind("from") Instant from, @Bind("to") Instant to,
                        @Bind("limit") int limit);

    @SqlQuery("SELECT count(*) AS texts, count(DISTINCT t.source) AS sources" + OF_TOPIC)
    @RegisterConstructorMapper(Tally.class)
    Tally tally(@Bind("run") String run, @Bind("topic") String topic, @Bind("from") Instant from, @Bind("to") Instant to);

    /** How many texts the run has. */
    @SqlQuery("SELECT count(*) FROM scored_text WHERE run_id = :run")
    long count(@Bind("run") String run);

    /** Texts of the run whose title or text match a web-search style query ({@code websearch_to_tsquery}), newest first. */
    @SqlQuery("SELECT " + COLUMNS + """
              FROM scored_text t
             WHERE t.run_id = :run AND t.search @@ websearch_to_tsquery('english', :q)
             ORDER BY t.published_at DESC, t.text_id
             LIMIT :limit
            """)
    List<Text> search(@Bind("run") String run, @Bind("q") String query, @Bind("limit") int limit);

    /** Retention: deletes up to {@code limit} texts of the run stored before {@code before}. @return how many */
    @SqlUpdate("""
            DELETE FROM scored_text WHERE (run_id, text_id) IN (
                SELECT run_id, text_id FROM scored_text WHERE run_id = :run AND stored_at < :before LIMIT :limit)
            """)
    int deleteStoredBefore(@Bind("run") String run, @Bind("before") Instant before, @Bind("limit") int limit);

    /** Deletes every text of the run (their topic rows go with them). */
    @SqlUpdate("DELETE FROM scored_text WHERE run_id = :run")
    int deleteRun(@Bind("run") String run);
}
