package io.finsent.alerting.service.api;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestStreamElementType;

import io.finsent.schema.AlertState;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;

/**
 * Alerts an analyst may see: those of the topics and rule sets of their own subscriptions (enabled or not).
 * Another analyst's alert is 403.
 */
@Path("/v1/alerts")
@Tag(name = "alerts", description = "Alerts of the caller's subscriptions")
@Blocking
public class AlertsResource {

    /** Subscriptions of analyst ? that cover alert row {@code a}. */
    static final String VISIBLE = """
            EXISTS (SELECT 1 FROM subscription s WHERE s.analyst_id = ? AND s.deleted_at IS NULL
                       AND (s.topic = a.topic OR s.topic = '*') AND s.rule_set = a.rule_set)
            """;
    private static final String COLUMNS = """
            a.alert_id, a.run_id, a.rule_set, a.rule, a.topic, a.severity, a.state, a.started_at, a.updated_at, a.fired_at,
            a.resolved_at, a.window_start, a.window_size_ms, a.observed, a.baseline, a.threshold, a.message
            """;

    private final Authenticator auth;
    private final Db db;
    private final AlertStream stream;

    AlertsResource(Authenticator auth, Db db, AlertStream stream) {
        this.auth = auth;
        this.db = db;
        this.stream = stream;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Alerts of the caller's subscriptions, latest change first",
            description = "state: PENDING, FIRING or RESOLVED; topic; run (default live); limit (1..1000, default 100).")
    public List<Map<String, Object>> list(@HeaderParam("X-Api-Key") String apiKey, @QueryParam("state") String state,
            @QueryParam("topic") String topic, @QueryParam("run") @DefaultValue("live") String run,
            @QueryParam("limit") @DefaultValue("100") int limit) throws SQLException {
        Caller caller = auth.requireAnalyst(apiKey);
        if (limit < 1 || limit > 1000) {
            throw ApiException.badRequest("limit must be 1 to 1000, not " + limit);
        }
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM alert a WHERE a.run_id = ? AND " + VISIBLE);
        List<Object> params = new ArrayList<>(List.of(run, caller.analystId()));
        if (state != null && !state.isBlank()) {
            try {
                params.add(AlertState.valueOf(state.strip().toUpperCase(Locale.ROOT)).name());
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("state must be PENDING, FIRING or RESOLVED, not '" + state + "'");
            }
            sql.append(" AND a.state = ?");
        }
        if (topic != null && !topic.isBlank()) {
            sql.append(" AND a.topic = ?");
            params.add(topic.strip());
        }
        sql.append(" ORDER BY a.updated_at DESC, a.alert_id LIMIT ?");
        params.add(limit);
        return db.list(sql.toString(), params.toArray());
    }

    @GET
    @Path("/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "One alert with its history")
    @APIResponse(responseCode = "403", description = "not an alert of the caller's subscriptions")
    @APIResponse(responseCode = "404", description = "no such alert")
    public Map<String, Object> get(@HeaderParam("X-Api-Key") String apiKey, @PathParam("id") String id) throws SQLException {
        Caller caller = auth.requireAnalyst(apiKey);
        Map<String, Object> alert = db.one("SELECT " + COLUMNS + ", " + VISIBLE + " AS visible FROM alert a WHERE a.alert_id = ?",
                caller.analystId(), id).orElseThrow(() -> ApiException.notFound("no alert " + id));
        if (!Boolean.TRUE.equals(alert.remove("visible"))) {
            throw ApiException.forbidden("alert " + id + " is not of a topic and rule set you subscribe to");
        }
        Map<String, Object> answer = new LinkedHashMap<>(alert);
        answer.put("history", db.list("SELECT state, severity, window_start, event_time, observed, baseline, threshold, message"
                + " FROM alert_event WHERE alert_id = ? ORDER BY event_time, id", id));
        return answer;
    }

    @GET
    @Path("/stream")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    @Operation(summary = "The caller's alert changes as they happen (server-sent events, live run)")
    public Multi<Map<String, Object>> stream(@HeaderParam("X-Api-Key") String apiKey) throws SQLException {
        Caller caller = auth.requireAnalyst(apiKey);
        return stream.changesFor(caller.analystId());
    }
}
