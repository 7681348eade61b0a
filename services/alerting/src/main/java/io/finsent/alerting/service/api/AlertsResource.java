package io.finsent.alerting.service.api;

import java.util.List;
import java.util.Locale;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestStreamElementType;
import org.jdbi.v3.core.Jdbi;

import com.fasterxml.jackson.annotation.JsonUnwrapped;

import io.finsent.alerting.store.AlertTable;
import io.finsent.schema.AlertState;
import io.finsent.service.api.ApiProblem;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;

/**
 * Alerts an analyst may see: those of the topics and rule sets of their own subscriptions (enabled or not); another analyst's
 * alert is 403. A key with the admin role (the bootstrap admin's too) reads every alert: nothing here changes an alert.
 */
@Path("/v1/alerts")
@Tag(name = "alerts", description = "Alerts of the caller's subscriptions (every alert for an admin key)")
@Blocking
@RolesAllowed({AlertingKeys.ANALYST, AlertingKeys.ADMIN})
public class AlertsResource {

    /** An alert with every transition it went through, and the texts behind it. */
    public record AlertWithHistory(@JsonUnwrapped AlertTable.Alert alert, List<AlertTable.HistoryEntry> history, AlertEvidence evidence) {
    }

    private final AlertTable alerts;
    private final AlertEvidence.Tables evidence;
    private final AlertStream stream;
    private final SecurityIdentity identity;

    AlertsResource(Jdbi jdbi, AlertStream stream, SecurityIdentity identity) {
        this.alerts = jdbi.onDemand(AlertTable.class);
        this.evidence = AlertEvidence.Tables.onDemand(jdbi);
        this.stream = stream;
        this.identity = identity;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Alerts of the caller's subscriptions (every alert for an admin key), latest change first",
            description = "state: PENDING, FIRING or RESOLVED; topic; run (default live); limit (1..1000, default 100).")
    public List<AlertTable.Alert> list(@QueryParam("state") String state, @QueryParam("topic") String topic,
            @QueryParam("run") @DefaultValue("live") String run, @QueryParam("limit") @DefaultValue("100") int limit) {
        if (limit < 1 || limit > 1000) {
            throw ApiProblem.badRequest("limit must be 1 to 1000, not " + limit);
        }
        String stateName = null;
        if (state != null && !state.isBlank()) {
            try {
                stateName = AlertState.valueOf(state.strip().toUpperCase(Locale.ROOT)).name();
            } catch (IllegalArgumentException e) {
                throw ApiProblem.badRequest("state must be PENDING, FIRING or RESOLVED, not '" + state + "'");
            }
        }
        String topicName = topic == null || topic.isBlank() ? null : topic.strip();
        return alerts.visible(run, AlertingKeys.topicReader(identity), stateName, topicName, limit);
    }

    @GET
    @Path("/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "One alert with its history and its evidence", description = "evidence: the texts of the windows that drove"
            + " the rule (most negative first for negative share and score drop; for volume the first of each source, busiest first),"
            + " at most " + AlertEvidence.TEXTS + ", with texts_in_windows, distinct_sources and the numbers that crossed.")
    @APIResponse(responseCode = "200", description = "the alert and its transitions",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = AlertWithHistory.class)))
    @APIResponse(responseCode = "403", description = "not an alert of the caller's subscriptions")
    @APIResponse(responseCode = "404", description = "no such alert")
    public AlertWithHistory get(@PathParam("id") String id) {
        AlertTable.Seen seen = alerts.seenBy(id, AlertingKeys.topicReader(identity)).orElseThrow(() -> ApiProblem.notFound("no alert " + id));
        if (!seen.visible()) {
            throw ApiProblem.forbidden("alert " + id + " is not of a topic and rule set you subscribe to");
        }
        List<AlertTable.HistoryEntry> history = alerts.history(id);
        return new AlertWithHistory(seen.alert(), history, AlertEvidence.of(evidence, seen.alert(), history, AlertEvidence.TEXTS));
    }

    @GET
    @Path("/stream")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    @Operation(summary = "The caller's alert changes as they happen (server-sent events, live run; every change for an admin key)")
    public Multi<AlertStream.AlertChange> stream() {
        return stream.changesFor(AlertingKeys.topicReader(identity));
    }
}
