package io.finsent.cli;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

import io.finsent.local.LocalStack;

/**
 * What {@code ./monitor demo --check} verifies, read from the alerting service's PostgreSQL tables once
 * every topic's windows of the demo range have closed: the surge topic fired an alert during (or just
 * after) its surge, and no calm topic fired one.
 */
final class DemoCheck {

    /** How long after the surge's end an alert still counts as the surge's (pending windows, then firing). */
    private static final Duration SURGE_SLACK = Duration.ofMinutes(5);

    record Alert(String topic, String rule, String severity, Instant windowStart, double observed, double baseline, double threshold) {
    }

    record Result(boolean passed, String surgeTicker, boolean surgeFired, List<String> calmFired, List<Alert> alerts, long windows,
                  long texts) {
    }

    private DemoCheck() {
    }

    static Result run(LocalStack stack, DemoCommand.DemoScript script, int topics, Duration timeout, PrintWriter out)
            throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Instant lastWindow = script.end().minus(Duration.ofMinutes(1));
        try (Connection db = DriverManager.getConnection(stack.jdbcUrl(), stack.jdbcUser(), "")) {
            long lastReport = 0;
            while (true) {
                int closed = topicsClosedThrough(db, lastWindow);
                long[] progress = windowsAndTexts(db, script);
                if (closed >= topics) {
                    out.printf("All %d topics have closed their windows through %s.%n", topics, script.end());
                    break;
                }
                if (System.nanoTime() > deadline) {
                    out.printf("Timed out: %d of %d topics closed their windows through %s.%n", closed, topics, script.end());
                    break;
                }
                if (System.nanoTime() - lastReport > 5_000_000_000L) {
                    out.printf("  ... %d texts in %d closed windows; %d of %d topics done%n", progress[1], progress[0], closed, topics);
                    out.flush();
                    lastReport = System.nanoTime();
                }
                Thread.sleep(1000);
            }
            long[] totals = windowsAndTexts(db, script);
            List<Alert> alerts = firing(db, script);
            String surgeTopic = script.surgeTicker().toLowerCase(Locale.ROOT);
            Instant surgeFrom = script.surge().get(0);
            Instant surgeTo = script.surge().get(1).plus(SURGE_SLACK);
            boolean surgeFired = alerts.stream().anyMatch(a -> a.topic().equals(surgeTopic) && !a.windowStart().isBefore(surgeFrom)
                    && a.windowStart().isBefore(surgeTo));
            List<String> calm = new ArrayList<>(new TreeSet<>(alerts.stream().map(Alert::topic).filter(t -> !t.equals(surgeTopic)).toList()));
            boolean complete = topicsClosedThrough(db, lastWindow) >= topics;
            return new Result(complete && surgeFired && calm.isEmpty(), script.surgeTicker(), surgeFired, calm, alerts, totals[0], totals[1]);
        }
    }

    private static int topicsClosedThrough(Connection db, Instant lastWindow) throws SQLException {
        try (PreparedStatement q = db.prepareStatement(
                "SELECT count(*) FROM (SELECT topic FROM trend_window WHERE run_id = 'live' GROUP BY topic HAVING max(window_start) >= ?) t")) {
            q.setTimestamp(1, Timestamp.from(lastWindow));
            try (ResultSet rs = q.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        } catch (SQLException e) {
            if ("42P01".equals(e.getSQLState())) {
                return 0; // the alerting service has not migrated its schema yet
            }
            throw e;
        }
    }

    private static long[] windowsAndTexts(Connection db, DemoCommand.DemoScript script) throws SQLException {
        try (PreparedStatement q = db.prepareStatement(
                "SELECT count(*), coalesce(sum(count), 0) FROM trend_window WHERE run_id = 'live' AND window_start >= ? AND window_start < ?")) {
            q.setTimestamp(1, Timestamp.from(script.start()));
            q.setTimestamp(2, Timestamp.from(script.end()));
            try (ResultSet rs = q.executeQuery()) {
                rs.next();
                return new long[] {rs.getLong(1), rs.getLong(2)};
            }
        } catch (SQLException e) {
            if ("42P01".equals(e.getSQLState())) {
                return new long[] {0, 0};
            }
            throw e;
        }
    }

    /** Alerts of the default rule set that fired on a window of the demo range. */
    private static List<Alert> firing(Connection db, DemoCommand.DemoScript script) throws SQLException {
        List<Alert> alerts = new ArrayList<>();
        try (PreparedStatement q = db.prepareStatement("""
                SELECT a.topic, a.rule, e.severity, e.window_start, e.observed, e.baseline, e.threshold
                FROM alert_event e JOIN alert a ON a.alert_id = e.alert_id
                WHERE a.run_id = 'live' AND a.rule_set = 'default' AND e.state = 'FIRING' AND e.window_start >= ? AND e.window_start < ?
                ORDER BY e.window_start, a.topic, a.rule""")) {
            q.setTimestamp(1, Timestamp.from(script.start()));
            q.setTimestamp(2, Timestamp.from(script.end()));
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    alerts.add(new Alert(rs.getString(1), rs.getString(2), rs.getString(3), rs.getTimestamp(4).toInstant(), rs.getDouble(5),
                            rs.getDouble(6), rs.getDouble(7)));
                }
            }
        }
        return alerts;
    }
}
