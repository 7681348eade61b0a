package io.finsent.alerting.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;

import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.StatementContext;

import io.finsent.alerting.trends.TrendPoint;

/**
 * A trend_window row as the rules see it; the query selects topic, window_start, window_size_ms, count, negative, neutral, positive,
 * mean_score and score_stddev.
 */
public final class TrendPointMapper implements RowMapper<TrendPoint> {

    @Override
    public TrendPoint map(ResultSet rs, StatementContext ctx) throws SQLException {
        return new TrendPoint(rs.getString("topic"), rs.getObject("window_start", OffsetDateTime.class).toInstant().toEpochMilli(),
                rs.getLong("window_size_ms"), rs.getLong("count"), rs.getLong("negative"), rs.getLong("neutral"), rs.getLong("positive"),
                rs.getDouble("mean_score"), rs.getDouble("score_stddev"));
    }
}
