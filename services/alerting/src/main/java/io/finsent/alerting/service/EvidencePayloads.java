package io.finsent.alerting.service;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;

import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.finsent.alerting.service.api.AlertEvidence;
import io.finsent.alerting.store.AlertingStore;
import io.finsent.alerting.store.OutboxTable;
import io.finsent.notify.PayloadCompleter;

/**
 * Adds an alert's evidence (its top {@value AlertEvidence#BRIEF_TEXTS} texts in brief, {@link AlertEvidence#brief()}) to a
 * webhook payload as it is sent. The texts of the windows are stored by the scored text sink a moment after the trend sink
 * enqueued the notification, so a row waits (postponed, no attempt counted) until every text the windows counted is stored,
 * at most {@code alerting.texts.evidence-wait} after it was enqueued; then it goes with what there is
 * ({@code evidence.complete: false}). The evidence is computed from event times and stored texts, so a redelivery carries the
 * same.
 */
final class EvidencePayloads implements PayloadCompleter {

    private static final Duration RECHECK = Duration.ofSeconds(2);

    private final ObjectMapper json;
    private final AlertEvidence.Tables tables;
    private final Clock clock;
    private final Duration wait;
    private final boolean textsStored;

    /** @param json the service's mapper (it writes times as ISO-8601 strings, as the API does) */
    EvidencePayloads(Jdbi jdbi, ObjectMapper json, Clock clock, AlertingConfig.Texts config) {
        this.json = json;
        this.tables = AlertEvidence.Tables.onDemand(jdbi);
        this.clock = clock;
        this.wait = config.evidenceWait();
        this.textsStored = config.enabled();
    }

    @Override
    public Completion complete(OutboxTable.Claimed row) {
        ObjectNode payload;
        try {
            payload = (ObjectNode) json.readTree(row.payload());
        } catch (JsonProcessingException | ClassCastException e) {
            return new Ready(row.payload()); // not ours to mend; delivered as written
        }
        if (payload.has("evidence") || !payload.hasNonNull("alert_id")) {
            return new Ready(row.payload());
        }
        Optional<AlertEvidence> evidence;
        try {
            evidence = AlertEvidence.ofAlert(tables, payload.get("alert_id").asText(), eventTime(payload), AlertEvidence.BRIEF_TEXTS);
        } catch (JdbiException e) {
            return new Postpone(RECHECK.multipliedBy(5), "evidence not read: PostgreSQL: " + AlertingStore.reason(e));
        }
        if (evidence.isEmpty()) {
            return new Ready(row.payload());
        }
        boolean waited = !clock.instant().isBefore(row.createdAt().plus(wait));
        if (!evidence.get().complete() && textsStored && !waited) {
            return new Postpone(RECHECK, "waiting for the evidence texts to be stored (" + evidence.get().textsInWindows() + " so far)");
        }
        payload.set("evidence", json.valueToTree(evidence.get().brief()));
        return new Ready(payload.toString());
    }

    private static Instant eventTime(ObjectNode payload) {
        try {
            return payload.hasNonNull("event_time") ? Instant.parse(payload.get("event_time").asText()) : null;
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
