package io.finsent.alerting.service.sink;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.finsent.alerting.rules.AlertTransition;
import io.finsent.alerting.service.AlertingConfig;
import io.finsent.alerting.service.Severities;
import io.finsent.schema.AlertState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Writes notification_outbox rows for one alert change, inside the sink's transaction: one per enabled
 * subscription with a webhook that matches the alert's topic, rule set and minimum severity, unless one of
 * that analyst's own silences matches it now (wall clock, as Alertmanager does). The idempotency key makes a
 * retry add nothing.
 */
@ApplicationScoped
public class AlertNotifier {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String MATCHING_SUBSCRIPTIONS = """
            SELECT s.id, s.analyst_id, s.webhook_url, a.name
              FROM subscription s JOIN analyst a ON a.id = s.analyst_id AND a.deleted_at IS NULL
             WHERE s.deleted_at IS NULL AND s.enabled AND s.webhook_url IS NOT NULL
               AND (s.topic = ? OR s.topic = '*') AND s.rule_set = ? AND s.min_severity = ANY (?)
               AND NOT EXISTS (SELECT 1 FROM silence x
                                WHERE x.analyst_id = s.analyst_id AND x.expired_at IS NULL
                                  AND x.starts_at <= now() AND now() < x.ends_at
                                  AND x.topic IN ('*', ?) AND x.rule IN ('*', ?) AND x.rule_set IN ('*', ?)
                                  AND x.severity IN ('*', ?))
             ORDER BY s.id
            """;

    private static final String INSERT_OUTBOX = """
            INSERT INTO notification_outbox (idempotency_key, analyst_id, subscription_id, channel, target, payload)
            VALUES (?, ?, ?, 'webhook', ?, ?::jsonb)
            ON CONFLICT (idempotency_key) DO NOTHING
            """;

    private final String dashboardUrl;
    private final Counter enqueued;

    AlertNotifier(AlertingConfig config, MeterRegistry registry) {
        this.dashboardUrl = config.dashboardUrl().replaceAll("/+$", "");
        this.enqueued = Counter.builder("finsent.alerting.outbox.enqueued").description("notification rows written to the outbox")
                .register(registry);
    }

    /**
     * Enqueues the notifications of one FIRING or RESOLVED change.
     *
     * @param repeat 0 for the change itself, n for the n-th repeat of a still-firing alert
     * @return the rows written (0 when every match was already enqueued, silenced or absent)
     */
    public int enqueue(Connection c, AlertTransition t, int repeat) throws SQLException {
        if (t.state() == AlertState.PENDING) {
            return 0;
        }
        List<Object[]> targets = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement(MATCHING_SUBSCRIPTIONS)) {
            s.setString(1, t.topic());
            s.setString(2, t.ruleSetId());
            s.setArray(3, c.createArrayOf("text", Severities.atOrBelow(t.severity()).toArray()));
            s.setString(4, t.topic());
            s.setString(5, t.rule().name());
            s.setString(6, t.ruleSetId());
            s.setString(7, t.severity().name());
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    targets.add(new Object[] {rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4)});
                }
            }
        }
        int written = 0;
        try (PreparedStatement insert = c.prepareStatement(INSERT_OUTBOX)) {
            for (Object[] target : targets) {
                long subscriptionId = (Long) target[0];
                insert.setString(1, idempotencyKey(t, subscriptionId, repeat));
                insert.setLong(2, (Long) target[1]);
                insert.setLong(3, subscriptionId);
                insert.setString(4, (String) target[2]);
                insert.setString(5, payload(t, subscriptionId, (String) target[3], repeat));
                written += insert.executeUpdate();
            }
        }
        enqueued.increment(written);
        return written;
    }

    /** {@code alertId:STATE:subscriptionId}, with {@code :repeatN} for the n-th repeat. */
    public static String idempotencyKey(AlertTransition t, long subscriptionId, int repeat) {
        return t.alertId() + ":" + t.state() + ":" + subscriptionId + (repeat > 0 ? ":repeat" + repeat : "");
    }

    String payload(AlertTransition t, long subscriptionId, String analyst, int repeat) {
        ObjectNode p = JSON.createObjectNode();
        p.put("alert_id", t.alertId());
        p.put("state", t.state().name());
        p.put("severity", t.severity().name());
        p.put("topic", t.topic());
        p.put("rule", t.rule().name());
        p.put("rule_set", t.ruleSetId());
        p.put("run_id", t.runId());
        p.put("window_start", Instant.ofEpochMilli(t.windowStart()).toString());
        p.put("window_end", Instant.ofEpochMilli(t.windowStart() + t.windowSizeMs()).toString());
        p.put("event_time", Instant.ofEpochMilli(t.eventTime()).toString());
        p.put("observed", t.observed());
        p.put("baseline", t.baseline());
        p.put("threshold", t.threshold());
        p.put("repeat", repeat);
        p.put("subscription_id", subscriptionId);
        p.put("analyst", analyst);
        p.put("message", headline(t, repeat) + t.message());
        p.put("dashboard_url", dashboardUrl + "/v1/alerts/" + t.alertId());
        return p.toString();
    }

    private static String headline(AlertTransition t, int repeat) {
        String what = switch (t.state()) {
            case FIRING -> repeat > 0 ? "still firing" : "firing";
            case RESOLVED -> "resolved";
            case PENDING -> "pending";
        };
        return "[" + t.severity() + "] " + t.topic() + ": " + t.rule() + " " + what + ". ";
    }
}
