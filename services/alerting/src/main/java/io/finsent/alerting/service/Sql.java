package io.finsent.alerting.service;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import io.finsent.alerting.trends.TrendPoint;

/** Small JDBC conversions shared by the sink and the API: every timestamp is a UTC {@code timestamptz}. */
public final class Sql {

    private Sql() {
    }

    public static OffsetDateTime ts(long epochMillis) {
        return OffsetDateTime.ofInstant(Instant.ofEpochMilli(epochMillis), ZoneOffset.UTC);
    }

    public static OffsetDateTime ts(Instant instant) {
        return instant == null ? null : OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    /** A timestamp column as an Instant, or null. */
    public static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    /** A timestamp column as epoch milliseconds; the column must not be null. */
    public static long millis(ResultSet rs, String column) throws SQLException {
        return rs.getObject(column, OffsetDateTime.class).toInstant().toEpochMilli();
    }

    /**
     * The current trend_window row as the rules see it; the query selects the columns topic, window_start, window_size_ms,
     * count, negative, neutral, positive, mean_score and score_stddev.
     */
    public static TrendPoint trendPoint(ResultSet rs) throws SQLException {
        return new TrendPoint(rs.getString("topic"), millis(rs, "window_start"), rs.getLong("window_size_ms"), rs.getLong("count"),
                rs.getLong("negative"), rs.getLong("neutral"), rs.getLong("positive"), rs.getDouble("mean_score"), rs.getDouble("score_stddev"));
    }

    /** Rolls back without hiding the failure that made the caller roll back. */
    public static void rollbackQuietly(Connection c, Throwable cause) {
        try {
            c.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }
}
