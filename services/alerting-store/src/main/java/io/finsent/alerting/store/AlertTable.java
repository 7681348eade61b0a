package io.finsent.alerting.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;

import org.jdbi.v3.core.mapper.Nested;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.StatementContext;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.config.RegisterRowMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;
import org.jdbi.v3.sqlobject.statement.UseRowMapper;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import io.finsent.alerting.rules.AlertTransition;
import io.finsent.schema.AlertState;

/**
 * Tables {@code alert} (one row per alert: an episode of one rule on one topic under one rule set) and {@code alert_event} (every
 * transition of every alert, unique per alert, state and window, so a redelivered window adds nothing). Times are event times.
 */
@RegisterRowMapper(TransitionMapper.class)
@RegisterConstructorMapper(AlertTable.AlertRow.class)
public interface AlertTable {

    /** One transition as compared between runs: no run id or alert id (alert ids hash the run id). */
    record AlertRow(String ruleSet, String rule, String topic, String state, Instant windowStart, String severity, double observed,
                    double baseline, double threshold) {
    }

    /** The values one transition writes to both tables. */
    record Change(String alertId, String runId, String ruleSet, String rule, String topic, String severity, String state, Instant eventTime,
                  Instant firedAt, Instant resolvedAt, Instant windowStart, long windowSizeMs, double observed, double baseline, double threshold,
                  String message, Instant lastNotifiedEventTime) {

        /** @param notified a live firing alert is notified now; repeats count from here */
        public static Change of(AlertTransition t, boolean notified) {
            Instant at = Instant.ofEpochMilli(t.eventTime());
            return new Change(t.alertId(), t.runId(), t.ruleSetId(), t.rule().name(), t.topic(), t.severity().name(), t.state().name(), at,
                    t.state() == AlertState.FIRING ? at : null, t.state() == AlertState.RESOLVED ? at : null, Instant.ofEpochMilli(t.windowStart()),
                    t.windowSizeMs(), t.observed(), t.baseline(), t.threshold(), t.message(),
                    notified && t.state() == AlertState.FIRING ? at : null);
        }
    }

    /** Records a transition: the alert's row (never older over newer) and its history. */
    default void record(AlertTransition t, boolean notified) {
        Change change = Change.of(t, notified);
        upsertAlert(change);
        insertEvent(change);
    }

    @SqlUpdate("""
            INSERT INTO alert (alert_id, run_id, rule_set, rule, topic, severity, state, started_at, updated_at, fired_at,
                               resolved_at, window_start, window_size_ms, observed, baseline, threshold, message,
                               last_notified_event_time)
            VALUES (:alertId, :runId, :ruleSet, :rule, :topic, :severity, :state, :eventTime, :eventTime, :firedAt,
                    :resolvedAt, :windowStart, :windowSizeMs, :observed, :baseline, :threshold, :message, :lastNotifiedEventTime)
            ON CONFLICT (alert_id) DO UPDATE SET
                severity = EXCLUDED.severity, state = EXCLUDED.state, updated_at = EXCLUDED.updated_at,
                fired_at = COALESCE(alert.fired_at, EXCLUDED.fired_at),
                resolved_at = COALESCE(EXCLUDED.resolved_at, alert.resolved_at),
                window_start = EXCLUDED.window_start, window_size_ms = EXCLUDED.window_size_ms,
                observed = EXCLUDED.observed, baseline = EXCLUDED.baseline, threshold = EXCLUDED.threshold,
                message = EXCLUDED.message,
                last_notified_event_time = COALESCE(EXCLUDED.last_notified_event_time, alert.last_notified_event_time)
            WHERE alert.updated_at <= EXCLUDED.updated_at
            """)
    void upsertAlert(@BindMethods Change change);

    @SqlUpdate("""
            INSERT INTO alert_event (alert_id, run_id, rule_set, rule, topic, severity, state, window_start, window_size_ms,
                                     event_time, observed, baseline, threshold, message)
            VALUES (:alertId, :runId, :ruleSet, :rule, :topic, :severity, :state, :windowStart, :windowSizeMs,
                    :eventTime, :observed, :baseline, :threshold, :message)
            ON CONFLICT (alert_id, state, window_start) DO NOTHING
            """)
    void insertEvent(@BindMethods Change change);

    /** The transitions recorded when this window of the topic was first evaluated under the rule set, in order. */
    @SqlQuery("""
            SELECT alert_id, run_id, rule_set, rule, topic, severity, state, window_start, window_size_ms, observed,
                   baseline, threshold, message, event_time
              FROM alert_event WHERE run_id = :run AND rule_set = :ruleSet AND topic = :topic AND window_start = :windowStart ORDER BY id
            """)
    List<AlertTransition> eventsOfWindow(@Bind("run") String run, @Bind("ruleSet") String ruleSet, @Bind("topic") String topic,
                                         @Bind("windowStart") Instant windowStart);

    /** A firing alert due for a repeat notification (as a transition at the repeat's event time), and when it fired. */
    record DueRepeat(AlertTransition alert, Instant firedAt) {

        /** The columns {@link TransitionMapper} reads, and fired_at. */
        public static final class Mapper implements RowMapper<DueRepeat> {

            private final TransitionMapper transition = new TransitionMapper();

            @Override
            public DueRepeat map(ResultSet rs, StatementContext ctx) throws SQLException {
                return new DueRepeat(transition.map(rs, ctx), rs.getObject("fired_at", OffsetDateTime.class).toInstant());
            }
        }
    }

    /**
     * The rule set's alerts on the topic still firing and last notified at or before {@code notifiedBy}, locked until the
     * transaction ends, as transitions at {@code now}.
     */
    default List<DueRepeat> dueRepeats(String run, String ruleSet, String topic, Instant notifiedBy, Instant now) {
        return dueRepeatsOf(run, new String[] {ruleSet}, topic, notifiedBy, now);
    }

    /** {@link #dueRepeats} for several rule sets in one statement, by rule set, then alert id. */
    @SqlQuery("""
            SELECT alert_id, run_id, rule_set, rule, topic, severity, state, window_start, window_size_ms, observed,
                   baseline, threshold, message, fired_at, CAST(:now AS timestamptz) AS event_time
              FROM alert
             WHERE run_id = :run AND rule_set = ANY (:ruleSets) AND topic = :topic AND state = 'FIRING'
               AND last_notified_event_time IS NOT NULL AND last_notified_event_time <= :notifiedBy
             ORDER BY rule_set, alert_id FOR UPDATE
            """)
    @UseRowMapper(DueRepeat.Mapper.class)
    List<DueRepeat> dueRepeatsOf(@Bind("run") String run, @Bind("ruleSets") String[] ruleSets, @Bind("topic") String topic,
                                 @Bind("notifiedBy") Instant notifiedBy, @Bind("now") Instant now);

    @SqlUpdate("UPDATE alert SET last_notified_event_time = :at WHERE alert_id = :alertId")
    void markNotified(@Bind("alertId") String alertId, @Bind("at") Instant at);

    /** A run's transitions on windows in a range, in a stable order. */
    @SqlQuery("""
            SELECT rule_set, rule, topic, state, window_start, severity, observed, baseline, threshold
              FROM alert_event WHERE run_id = :run AND window_start >= :from AND window_start < :to
             ORDER BY rule_set, topic, window_start, rule, state
            """)
    List<AlertRow> eventRows(@Bind("run") String run, @Bind("from") Instant from, @Bind("to") Instant to);

    /** A run's alert history; delete it before the run's alerts, which it refers to. */
    @SqlUpdate("DELETE FROM alert_event WHERE run_id = :run")
    int deleteEvents(@Bind("run") String run);

    @SqlUpdate("DELETE FROM alert WHERE run_id = :run")
    int deleteAlerts(@Bind("run") String run);

    // --- API reads (dashboard and /v1 endpoints) below this line.

    /** The columns of {@link Alert}, of table alias {@code a}. */
    String ALERT_COLUMNS = """
            a.alert_id, a.run_id, a.rule_set, a.rule, a.topic, a.severity, a.state, a.started_at, a.updated_at, a.fired_at,
            a.resolved_at, a.window_start, a.window_size_ms, a.observed, a.baseline, a.threshold, a.message
            """;

    /**
     * Whether the reader may see alert row {@code a}: every alert for a null {@code :analyst} (an admin, read only), else only
     * where analyst {@code :analyst} has a live subscription covering it (its topic or '*', and its rule set).
     */
    String VISIBLE = """
            (CAST(:analyst AS bigint) IS NULL
             OR EXISTS (SELECT 1 FROM subscription s WHERE s.analyst_id = :analyst AND s.deleted_at IS NULL
                           AND (s.topic = a.topic OR s.topic = '*') AND s.rule_set = a.rule_set))
            """;

    /** An alert as the API shows it (times are event times). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Alert(String alertId, String runId, String ruleSet, String rule, String topic, String severity, String state, Instant startedAt,
                 Instant updatedAt, Instant firedAt, Instant resolvedAt, Instant windowStart, long windowSizeMs, double observed,
                 double baseline, double threshold, String message) {
    }

    /** An alert and whether the analyst asking may see it. */
    record Seen(@Nested Alert alert, boolean visible) {
    }

    /** One transition in an alert's history. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record HistoryEntry(String state, String severity, Instant windowStart, Instant eventTime, double observed, double baseline,
                        double threshold, String message) {
    }

    /**
     * A run's alerts the reader may see (every alert for a null {@code analystId}), in one state and on one topic where those
     * are not null, latest change first, at most {@code limit}.
     */
    @SqlQuery("SELECT " + ALERT_COLUMNS + " FROM alert a WHERE a.run_id = :run AND " + VISIBLE + """
               AND (CAST(:state AS text) IS NULL OR a.state = :state) AND (CAST(:topic AS text) IS NULL OR a.topic = :topic)
             ORDER BY a.updated_at DESC, a.alert_id LIMIT :limit
            """)
    @RegisterConstructorMapper(Alert.class)
    List<Alert> visible(@Bind("run") String run, @Bind("analyst") Long analystId, @Bind("state") String state, @Bind("topic") String topic,
                        @Bind("limit") int limit);

    /** An alert, and whether the reader may see it (always for a null {@code analystId}); empty when there is no such alert. */
    @SqlQuery("SELECT " + ALERT_COLUMNS + ", " + VISIBLE + " AS visible FROM alert a WHERE a.alert_id = :id")
    @RegisterConstructorMapper(Seen.class)
    java.util.Optional<Seen> seenBy(@Bind("id") String alertId, @Bind("analyst") Long analystId);

    /** An alert's transitions in event-time order. */
    @SqlQuery("""
            SELECT state, severity, window_start, event_time, observed, baseline, threshold, message
              FROM alert_event WHERE alert_id = :id ORDER BY event_time, id
            """)
    @RegisterConstructorMapper(HistoryEntry.class)
    List<HistoryEntry> history(@Bind("id") String alertId);
}
