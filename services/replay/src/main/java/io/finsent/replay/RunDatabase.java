package io.finsent.replay;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.finsent.alerting.trends.TrendPoint;

/**
 * A run's rows in the alerting service's PostgreSQL tables ({@code trend_window}, {@code alert}, {@code alert_event},
 * {@code rule_state}): read for a backtest or a comparison, deleted with the run.
 */
public final class RunDatabase {

    /** One trend_window row, every column but the run id; doubles compared bit for bit. */
    public record TrendRow(String topic, Instant windowStart, long windowSizeMs, long count, long negative, long neutral, long positive,
                           double meanScore, double scoreStddev, double meanPNegative) {

        public TrendPoint toPoint() {
            return new TrendPoint(topic, windowStart.toEpochMilli(), windowSizeMs, count, negative, neutral, positive, meanScore, scoreStddev);
        }
    }

    /** One alert transition as compared between runs: no run id or alert id (alert ids hash the run id). */
    public record AlertRow(String ruleSet, String rule, String topic, String state, Instant windowStart, String severity, double observed,
                           double baseline, double threshold) {
    }

    /** How many trend windows of one window size a run has, and the texts counted in them (a text once per topic it matched). */
    public record TrendTotals(long windowSizeMs, long windows, long texts) {
    }

    private RunDatabase() {
    }

    static Connection connect(String url, String user) {
        try {
            return DriverManager.getConnection(url, user, "");
        } catch (SQLException e) {
            throw new ReplayException("cannot connect to PostgreSQL at " + url + " as " + user + " (" + e.getMessage()
                    + "): start the stack with ./monitor up, or pass --jdbc-url and --jdbc-user", e);
        }
    }

    static long trendRowCount(String url, String user, String runId) {
        return trendTotals(url, user, runId).stream().mapToLong(TrendTotals::windows).sum();
    }

    /** A run's trend windows and the texts counted in them, per window size (smallest first). */
    public static List<TrendTotals> trendTotals(String url, String user, String runId) {
        List<TrendTotals> totals = new ArrayList<>();
        try (Connection db = connect(url, user);
             PreparedStatement q = db.prepareStatement("""
                     SELECT window_size_ms, count(*), coalesce(sum(count), 0) FROM trend_window WHERE run_id = ?
                     GROUP BY window_size_ms ORDER BY window_size_ms""")) {
            q.setString(1, runId);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    totals.add(new TrendTotals(rs.getLong(1), rs.getLong(2), rs.getLong(3)));
                }
            }
        } catch (SQLException e) {
            throw failure("counting the trend rows of run " + runId, e);
        }
        return totals;
    }

    /** Trend rows of a run whose window starts in {@code [from, to)} (null: unbounded), by topic, size and start. */
    public static List<TrendRow> trendRows(String url, String user, String runId, Instant from, Instant to) {
        List<TrendRow> rows = new ArrayList<>();
        try (Connection db = connect(url, user);
             PreparedStatement q = db.prepareStatement("""
                     SELECT topic, window_start, window_size_ms, count, negative, neutral, positive, mean_score, score_stddev, mean_p_negative
                     FROM trend_window WHERE run_id = ? AND window_start >= ? AND window_start < ?
                     ORDER BY topic, window_size_ms, window_start""")) {
            q.setString(1, runId);
            q.setTimestamp(2, Timestamp.from(from == null ? Instant.EPOCH : from));
            q.setTimestamp(3, Timestamp.from(to == null ? Instant.parse("9999-01-01T00:00:00Z") : to));
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    rows.add(new TrendRow(rs.getString(1), rs.getTimestamp(2).toInstant(), rs.getLong(3), rs.getLong(4), rs.getLong(5), rs.getLong(6),
                            rs.getLong(7), rs.getDouble(8), rs.getDouble(9), rs.getDouble(10)));
                }
            }
        } catch (SQLException e) {
            throw failure("reading the trend rows of run " + runId, e);
        }
        return rows;
    }

    /** Alert transitions of a run on windows starting in {@code [from, to)}, in a stable order. */
    public static List<AlertRow> alertRows(String url, String user, String runId, Instant from, Instant to) {
        List<AlertRow> rows = new ArrayList<>();
        try (Connection db = connect(url, user);
             PreparedStatement q = db.prepareStatement("""
                     SELECT rule_set, rule, topic, state, window_start, severity, observed, baseline, threshold
                     FROM alert_event WHERE run_id = ? AND window_start >= ? AND window_start < ?
                     ORDER BY rule_set, topic, window_start, rule, state""")) {
            q.setString(1, runId);
            q.setTimestamp(2, Timestamp.from(from == null ? Instant.EPOCH : from));
            q.setTimestamp(3, Timestamp.from(to == null ? Instant.parse("9999-01-01T00:00:00Z") : to));
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    rows.add(new AlertRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getTimestamp(5).toInstant(),
                            rs.getString(6), rs.getDouble(7), rs.getDouble(8), rs.getDouble(9)));
                }
            }
        } catch (SQLException e) {
            throw failure("reading the alerts of run " + runId, e);
        }
        return rows;
    }

    /** Deletes every row of the run, in one transaction; @return rows deleted per table. */
    static Map<String, Integer> delete(String url, String user, String runId) {
        Map<String, Integer> deleted = new LinkedHashMap<>();
        try (Connection db = connect(url, user)) {
            db.setAutoCommit(false);
            // alert_event refers to alert: delete it first.
            for (String table : List.of("alert_event", "alert", "rule_state", "trend_window")) {
                try (PreparedStatement q = db.prepareStatement("DELETE FROM " + table + " WHERE run_id = ?")) {
                    q.setString(1, runId);
                    deleted.put(table, q.executeUpdate());
                }
            }
            db.commit();
        } catch (SQLException e) {
            throw failure("deleting the rows of run " + runId, e);
        }
        return deleted;
    }

    private static ReplayException failure(String what, SQLException e) {
        if ("42P01".equals(e.getSQLState())) {
            return new ReplayException(what + ": the alerting tables do not exist yet; start the alerting service (./monitor up) once", e);
        }
        return new ReplayException(what + ": " + e.getMessage(), e);
    }
}
