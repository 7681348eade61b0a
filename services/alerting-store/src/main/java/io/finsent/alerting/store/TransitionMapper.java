package io.finsent.alerting.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;

import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.StatementContext;

import io.finsent.alerting.rules.AlertTransition;
import io.finsent.alerting.rules.RuleKind;
import io.finsent.schema.AlertState;
import io.finsent.schema.Severity;

/**
 * An alert or alert_event row as the transition it records; the query selects alert_id, run_id, rule_set, rule, topic, severity,
 * state, window_start, window_size_ms, observed, baseline, threshold, message and event_time.
 */
public final class TransitionMapper implements RowMapper<AlertTransition> {

    @Override
    public AlertTransition map(ResultSet rs, StatementContext ctx) throws SQLException {
        return new AlertTransition(rs.getString("alert_id"), rs.getString("run_id"), rs.getString("rule_set"), RuleKind.valueOf(rs.getString("rule")),
                rs.getString("topic"), Severity.valueOf(rs.getString("severity")), AlertState.valueOf(rs.getString("state")),
                millis(rs, "window_start"), rs.getLong("window_size_ms"), rs.getDouble("observed"), rs.getDouble("baseline"),
                rs.getDouble("threshold"), rs.getString("message"), millis(rs, "event_time"));
    }

    private static long millis(ResultSet rs, String column) throws SQLException {
        return rs.getObject(column, OffsetDateTime.class).toInstant().toEpochMilli();
    }
}
