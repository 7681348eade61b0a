package io.finsent.alerting.service.sink;

import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;

import org.jdbi.v3.core.Handle;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.finsent.alerting.rules.AlertTransition;
import io.finsent.alerting.service.AlertingConfig;
import io.finsent.alerting.service.Severities;
import io.finsent.alerting.store.OutboxTable;
import io.finsent.alerting.store.SubscriptionTable;
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
    public int enqueue(Handle h, AlertTransition t, int repeat) {
        if (t.state() == AlertState.PENDING) {
            return 0;
        }
        OutboxTable outbox = h.attach(OutboxTable.class);
        int written = 0;
        for (SubscriptionTable.WebhookTarget target : h.attach(SubscriptionTable.class).webhookTargets(t.topic(), t.ruleSetId(), t.rule().name(),
                t.severity().name(), Severities.atOrBelow(t.severity()).toArray(String[]::new))) {
            written += outbox.enqueueWebhook(idempotencyKey(t, target.subscriptionId(), repeat), target.analystId(), target.subscriptionId(),
                    target.webhookUrl(), payload(t, target.subscriptionId(), target.analyst(), repeat));
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
