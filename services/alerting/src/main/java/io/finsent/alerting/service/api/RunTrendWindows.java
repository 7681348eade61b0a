package io.finsent.alerting.service.api;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;

import io.finsent.alerting.service.Sql;
import io.finsent.alerting.trends.TrendPoint;

/**
 * A run's stored trend windows as the rules see them, read for a backtest: the rows {@code ./monitor backtest} reads
 * (window starts in {@code [from, to)}, unbounded where null), in the same order.
 */
@ApplicationScoped
public class RunTrendWindows {

    private static final Instant NO_START = Instant.EPOCH;
    private static final Instant NO_END = Instant.parse("9999-01-01T00:00:00Z");

    /** The first and last window start of a run. */
    public record Span(Instant first, Instant last) {
    }

    private final DataSource dataSource;

    RunTrendWindows(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * At most {@code limit} windows; more than {@code limit} in the list means the range holds more (the caller refuses
     * them instead of reading them all).
     */
    public List<TrendPoint> read(String run, Instant from, Instant to, int limit) throws SQLException {
        List<TrendPoint> windows = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement("""
                SELECT topic, window_start, window_size_ms, count, negative, neutral, positive, mean_score, score_stddev
                  FROM trend_window WHERE run_id = ? AND window_start >= ? AND window_start < ?
                 ORDER BY topic, window_size_ms, window_start LIMIT ?
                """)) {
            s.setString(1, run);
            s.setObject(2, Sql.ts(from == null ? NO_START : from));
            s.setObject(3, Sql.ts(to == null ? NO_END : to));
            s.setInt(4, limit + 1);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    windows.add(Sql.trendPoint(rs));
                }
            }
        }
        return windows;
    }

    /** The run's span, or empty for a run without trend windows (an unknown run). */
    public Optional<Span> span(String run) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("SELECT min(window_start) AS first, max(window_start) AS last FROM trend_window WHERE run_id = ?")) {
            s.setString(1, run);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                Instant first = Sql.instant(rs, "first");
                return first == null ? Optional.empty() : Optional.of(new Span(first, Sql.instant(rs, "last")));
            }
        }
    }
}
