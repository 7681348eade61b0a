package io.finsent.alerting.service.sink;

import static io.finsent.alerting.service.Sql.ts;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;

import io.finsent.alerting.rules.AlertTransition;
import io.finsent.alerting.rules.RuleEvaluator;
import io.finsent.alerting.rules.RuleKind;
import io.finsent.alerting.rules.RuleParams;
import io.finsent.alerting.rules.TopicRuleState;
import io.finsent.alerting.service.AlertingConfig;
import io.finsent.alerting.service.Sql;
import io.finsent.alerting.trends.TrendPoint;
import io.finsent.alerting.trends.TrendSettings;
import io.finsent.schema.AlertState;
import io.finsent.schema.Severity;
import io.finsent.schema.TopicTrendWindow;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Writes one closed trend window in ONE PostgreSQL transaction: the trend row (upsert), each applicable rule
 * set's state and transitions, the alerts and their history, and (live run only) the outbox rows. Running it
 * twice for the same window changes nothing: the row is the same, and a window at or before a rule set's last
 * one is not evaluated again.
 */
@ApplicationScoped
public class TrendWindowWriter {

    private static final String UPSERT_TREND = """
            INSERT INTO trend_window (run_id, topic, window_start, window_size_ms, count, negative, neutral, positive,
                                      mean_score, score_stddev, mean_p_negative)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (run_id, topic, window_size_ms, window_start) DO UPDATE SET
                count = EXCLUDED.count, negative = EXCLUDED.negative, neutral = EXCLUDED.neutral,
                positive = EXCLUDED.positive, mean_score = EXCLUDED.mean_score, score_stddev = EXCLUDED.score_stddev,
                mean_p_negative = EXCLUDED.mean_p_negative
            """;

    private static final String RULE_SETS = """
            SELECT DISTINCT rule_set, rule_params FROM subscription
             WHERE deleted_at IS NULL AND (topic = ? OR topic = '*') ORDER BY rule_set
            """;

    private static final String HISTORY = """
            SELECT topic, window_start, window_size_ms, count, negative, neutral, positive, mean_score, score_stddev
              FROM trend_window
             WHERE run_id = ? AND topic = ? AND window_size_ms = ? AND window_start < ?
             ORDER BY window_start DESC LIMIT ?
            """;

    private static final String UPSERT_ALERT = """
            INSERT INTO alert (alert_id, run_id, rule_set, rule, topic, severity, state, started_at, updated_at, fired_at,
                               resolved_at, window_start, window_size_ms, observed, baseline, threshold, message,
                               last_notified_event_time)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (alert_id) DO UPDATE SET
                severity = EXCLUDED.severity, state = EXCLUDED.state, updated_at = EXCLUDED.updated_at,
                fired_at = COALESCE(alert.fired_at, EXCLUDED.fired_at),
                resolved_at = COALESCE(EXCLUDED.resolved_at, alert.resolved_at),
                window_start = EXCLUDED.window_start, window_size_ms = EXCLUDED.window_size_ms,
                observed = EXCLUDED.observed, baseline = EXCLUDED.baseline, threshold = EXCLUDED.threshold,
                message = EXCLUDED.message,
                last_notified_event_time = COALESCE(EXCLUDED.last_notified_event_time, alert.last_notified_event_time)
            WHERE alert.updated_at <= EXCLUDED.updated_at
            """;

    private static final String INSERT_ALERT_EVENT = """
            INSERT INTO alert_event (alert_id, run_id, rule_set, rule, topic, severity, state, window_start, window_size_ms,
                                     event_time, observed, baseline, threshold, message)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (alert_id, state, window_start) DO NOTHING
            """;

    private static final String EVENTS_OF_WINDOW = """
            SELECT alert_id, run_id, rule_set, rule, topic, severity, state, window_start, window_size_ms, observed,
                   baseline, threshold, message, event_time
              FROM alert_event WHERE run_id = ? AND rule_set = ? AND topic = ? AND window_start = ? ORDER BY id
            """;

    private static final String DUE_REPEATS = """
            SELECT alert_id, run_id, rule_set, rule, topic, severity, state, window_start, window_size_ms, observed,
                   baseline, threshold, message, fired_at, last_notified_event_time
              FROM alert
             WHERE run_id = ? AND rule_set = ? AND topic = ? AND state = 'FIRING'
               AND last_notified_event_time IS NOT NULL AND last_notified_event_time <= ?
             ORDER BY alert_id FOR UPDATE
            """;

    private final DataSource dataSource;
    private final AlertNotifier notifier;
    private final int warmWindows;
    private final long repeatIntervalMs;
    private final Map<String, RuleEvaluator> evaluators = new ConcurrentHashMap<>();
    private final Counter trendRows;
    private final MeterRegistry registry;

    TrendWindowWriter(DataSource dataSource, AlertNotifier notifier, AlertingConfig config, MeterRegistry registry) {
        this.dataSource = dataSource;
        this.notifier = notifier;
        this.warmWindows = config.warmWindows();
        this.repeatIntervalMs = config.repeatInterval().toMillis();
        this.registry = registry;
        this.trendRows = Counter.builder("finsent.alerting.trend.rows.upserted").description("trend windows written to PostgreSQL")
                .register(registry);
    }

    /**
     * Writes the window and evaluates every rule set of its topic, all or nothing.
     *
     * @return the alert changes of this window, to publish after the commit: new ones, or on a redelivery the
     *         ones recorded the first time (so a crash between commit and publication loses no event)
     */
    public List<AlertTransition> write(TopicTrendWindow window) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                List<AlertTransition> changes = write(c, window);
                c.commit();
                trendRows.increment();
                for (AlertTransition t : changes) {
                    registry.counter("finsent.alerting.transitions", "state", t.state().name()).increment();
                }
                return changes;
            } catch (SQLException | RuntimeException e) {
                Sql.rollbackQuietly(c, e);
                throw e;
            }
        }
    }

    private List<AlertTransition> write(Connection c, TopicTrendWindow w) throws SQLException {
        TrendPoint point = TrendPoint.of(w);
        String run = w.getRunId();
        upsertTrend(c, w);
        List<AlertTransition> changes = new ArrayList<>();
        for (Map.Entry<String, RuleParams> ruleSet : ruleSets(c, point.topic()).entrySet()) {
            String ruleSetId = ruleSet.getKey();
            RuleEvaluator evaluator = evaluators.computeIfAbsent(ruleSetId, id -> new RuleEvaluator(id, ruleSet.getValue()));
            TopicRuleState state = lockState(c, run, ruleSetId, point, evaluator);
            if (point.windowStart() <= state.lastWindowStart()) {
                changes.addAll(recordedChanges(c, run, ruleSetId, point));
                continue;
            }
            List<AlertTransition> transitions = evaluator.onWindow(run, state, point);
            saveState(c, run, ruleSetId, point.topic(), state);
            boolean live = TrendSettings.LIVE.equals(run);
            for (AlertTransition t : transitions) {
                record(c, t, live);
                if (live) {
                    notifier.enqueue(c, t, 0);
                }
            }
            if (live) {
                repeatStillFiring(c, run, ruleSetId, point);
            }
            changes.addAll(transitions);
        }
        return changes;
    }

    private void upsertTrend(Connection c, TopicTrendWindow w) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(UPSERT_TREND)) {
            s.setString(1, w.getRunId());
            s.setString(2, w.getTopic());
            s.setObject(3, ts(w.getWindowStart()));
            s.setLong(4, w.getWindowSizeMs());
            s.setLong(5, w.getCount());
            s.setLong(6, w.getNegative());
            s.setLong(7, w.getNeutral());
            s.setLong(8, w.getPositive());
            s.setDouble(9, w.getMeanScore());
            s.setDouble(10, w.getScoreStddev());
            s.setDouble(11, w.getMeanPNegative());
            s.executeUpdate();
        }
    }

    /** The defaults always, then each distinct rule set of the topic's subscriptions (a '*' subscription included). */
    private Map<String, RuleParams> ruleSets(Connection c, String topic) throws SQLException {
        Map<String, RuleParams> sets = new LinkedHashMap<>();
        RuleParams defaults = RuleParams.defaults();
        sets.put(defaults.id(), defaults);
        try (PreparedStatement s = c.prepareStatement(RULE_SETS)) {
            s.setString(1, topic);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    String id = rs.getString(1);
                    if (!sets.containsKey(id)) {
                        sets.put(id, RuleParams.fromJson(rs.getString(2)));
                    }
                }
            }
        }
        return sets;
    }

    /**
     * The rule set's state on the topic, locked for this transaction. A rule set new to the topic starts empty
     * and is warmed with the topic's stored history before this window.
     */
    private TopicRuleState lockState(Connection c, String run, String ruleSetId, TrendPoint point, RuleEvaluator evaluator)
            throws SQLException {
        TopicRuleState state = selectForUpdate(c, run, ruleSetId, point.topic());
        if (state != null) {
            return state;
        }
        TopicRuleState fresh = TopicRuleState.empty(point.topic());
        List<TrendPoint> history = history(c, run, point);
        if (!history.isEmpty()) {
            evaluator.warm(fresh, history);
        }
        try (PreparedStatement s = c.prepareStatement(
                "INSERT INTO rule_state (run_id, rule_set, topic, state, last_window_start) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
            s.setString(1, run);
            s.setString(2, ruleSetId);
            s.setString(3, point.topic());
            s.setString(4, fresh.toJson());
            s.setLong(5, fresh.lastWindowStart());
            s.executeUpdate();
        }
        // Locks the row, ours or the one another instance inserted first.
        return selectForUpdate(c, run, ruleSetId, point.topic());
    }

    private static TopicRuleState selectForUpdate(Connection c, String run, String ruleSetId, String topic) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT state FROM rule_state WHERE run_id = ? AND rule_set = ? AND topic = ? FOR UPDATE")) {
            s.setString(1, run);
            s.setString(2, ruleSetId);
            s.setString(3, topic);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? TopicRuleState.fromJson(rs.getString(1)) : null;
            }
        }
    }

    private List<TrendPoint> history(Connection c, String run, TrendPoint point) throws SQLException {
        List<TrendPoint> history = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement(HISTORY)) {
            s.setString(1, run);
            s.setString(2, point.topic());
            s.setLong(3, point.windowSizeMs());
            s.setObject(4, ts(point.windowStart()));
            s.setInt(5, warmWindows);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    history.add(Sql.trendPoint(rs));
                }
            }
        }
        Collections.reverse(history);
        return history;
    }

    private static void saveState(Connection c, String run, String ruleSetId, String topic, TopicRuleState state) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "UPDATE rule_state SET state = ?, last_window_start = ? WHERE run_id = ? AND rule_set = ? AND topic = ?")) {
            s.setString(1, state.toJson());
            s.setLong(2, state.lastWindowStart());
            s.setString(3, run);
            s.setString(4, ruleSetId);
            s.setString(5, topic);
            s.executeUpdate();
        }
    }

    private static void record(Connection c, AlertTransition t, boolean live) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(UPSERT_ALERT)) {
            s.setString(1, t.alertId());
            s.setString(2, t.runId());
            s.setString(3, t.ruleSetId());
            s.setString(4, t.rule().name());
            s.setString(5, t.topic());
            s.setString(6, t.severity().name());
            s.setString(7, t.state().name());
            s.setObject(8, ts(t.eventTime()));
            s.setObject(9, ts(t.eventTime()));
            s.setObject(10, t.state() == AlertState.FIRING ? ts(t.eventTime()) : null);
            s.setObject(11, t.state() == AlertState.RESOLVED ? ts(t.eventTime()) : null);
            s.setObject(12, ts(t.windowStart()));
            s.setLong(13, t.windowSizeMs());
            s.setDouble(14, t.observed());
            s.setDouble(15, t.baseline());
            s.setDouble(16, t.threshold());
            s.setString(17, t.message());
            // A firing alert is notified now (live); repeats count from here.
            s.setObject(18, live && t.state() == AlertState.FIRING ? ts(t.eventTime()) : null);
            s.executeUpdate();
        }
        try (PreparedStatement s = c.prepareStatement(INSERT_ALERT_EVENT)) {
            s.setString(1, t.alertId());
            s.setString(2, t.runId());
            s.setString(3, t.ruleSetId());
            s.setString(4, t.rule().name());
            s.setString(5, t.topic());
            s.setString(6, t.severity().name());
            s.setString(7, t.state().name());
            s.setObject(8, ts(t.windowStart()));
            s.setLong(9, t.windowSizeMs());
            s.setObject(10, ts(t.eventTime()));
            s.setDouble(11, t.observed());
            s.setDouble(12, t.baseline());
            s.setDouble(13, t.threshold());
            s.setString(14, t.message());
            s.executeUpdate();
        }
    }

    /** The changes recorded when this window was first evaluated (a redelivery publishes them again). */
    private static List<AlertTransition> recordedChanges(Connection c, String run, String ruleSetId, TrendPoint point) throws SQLException {
        List<AlertTransition> changes = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement(EVENTS_OF_WINDOW)) {
            s.setString(1, run);
            s.setString(2, ruleSetId);
            s.setString(3, point.topic());
            s.setObject(4, ts(point.windowStart()));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    changes.add(transition(rs, AlertState.valueOf(rs.getString("state")), Sql.millis(rs, "event_time")));
                }
            }
        }
        return changes;
    }

    /**
     * Live only: each alert of this rule set and topic still firing at this window's end, last notified a repeat
     * interval or more ago (event time), is notified again as its n-th repeat, n counted from when it fired.
     */
    private void repeatStillFiring(Connection c, String run, String ruleSetId, TrendPoint point) throws SQLException {
        long now = point.windowEnd();
        List<AlertTransition> due = new ArrayList<>();
        List<Integer> repeats = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement(DUE_REPEATS)) {
            s.setString(1, run);
            s.setString(2, ruleSetId);
            s.setString(3, point.topic());
            s.setObject(4, ts(now - repeatIntervalMs));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    long firedAt = Sql.millis(rs, "fired_at");
                    due.add(transition(rs, AlertState.FIRING, now));
                    repeats.add((int) Math.max(1, (now - firedAt) / repeatIntervalMs));
                }
            }
        }
        for (int i = 0; i < due.size(); i++) {
            AlertTransition t = due.get(i);
            notifier.enqueue(c, t, repeats.get(i));
            try (PreparedStatement s = c.prepareStatement("UPDATE alert SET last_notified_event_time = ? WHERE alert_id = ?")) {
                s.setObject(1, ts(now));
                s.setString(2, t.alertId());
                s.executeUpdate();
            }
        }
    }

    private static AlertTransition transition(ResultSet rs, AlertState state, long eventTime) throws SQLException {
        return new AlertTransition(rs.getString("alert_id"), rs.getString("run_id"), rs.getString("rule_set"),
                RuleKind.valueOf(rs.getString("rule")), rs.getString("topic"), Severity.valueOf(rs.getString("severity")), state,
                Sql.millis(rs, "window_start"), rs.getLong("window_size_ms"), rs.getDouble("observed"), rs.getDouble("baseline"),
                rs.getDouble("threshold"), rs.getString("message"), eventTime);
    }
}
