package io.finsent.alerting.service.api;

import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.finsent.alerting.rules.RuleKind;
import io.finsent.alerting.service.AlertingConfig;
import io.finsent.alerting.service.Severities;
import io.smallrye.common.annotation.Blocking;

/**
 * Silences, as in Alertmanager: matchers (topic, rule, rule_set, severity; each exact or "*"), a time range and a
 * comment. A silence mutes only its creator's notifications; the alerts themselves are still recorded.
 */
@Path("/v1/silences")
@Tag(name = "silences", description = "Mute the caller's notifications for a while")
@Blocking
@Produces(MediaType.APPLICATION_JSON)
public class SilencesResource {

    private static final Set<String> FIELDS = Set.of("topic", "rule", "rule_set", "severity", "starts_at", "ends_at", "comment");
    private static final String COLUMNS = """
            id, topic, rule, rule_set, severity, starts_at, ends_at, comment, created_at, expired_at,
            (expired_at IS NULL AND starts_at <= now() AND now() < ends_at) AS active
            """;

    private final Authenticator auth;
    private final Db db;
    private final int maxBody;

    SilencesResource(Authenticator auth, Db db, AlertingConfig config) {
        this.auth = auth;
        this.db = db;
        this.maxBody = config.api().maxBodyBytes();
    }

    @GET
    @Operation(summary = "The caller's silences, newest first")
    public List<Map<String, Object>> list(@HeaderParam("X-Api-Key") String apiKey) throws SQLException {
        Caller caller = auth.requireAnalyst(apiKey);
        return db.list("SELECT " + COLUMNS + ", ?::text AS created_by FROM silence WHERE analyst_id = ? ORDER BY id DESC", caller.name(),
                caller.analystId());
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Create a silence", description = "Body: topic, rule, rule_set, severity (each exact or \"*\", default \"*\"),"
            + " starts_at (ISO-8601, default now), ends_at (ISO-8601, after starts_at and in the future), comment (why; required).")
    @APIResponse(responseCode = "201", description = "created")
    @APIResponse(responseCode = "400", description = "invalid body, the field named")
    public Response create(@HeaderParam("X-Api-Key") String apiKey, byte[] body) throws SQLException {
        Caller caller = auth.requireAnalyst(apiKey);
        JsonBody json = JsonBody.parse(body, maxBody, FIELDS);
        String topic = matcher(json, "topic");
        if (!topic.equals("*") && !SubscriptionsResource.TOPIC_ID.matcher(topic).matches()) {
            throw ApiException.badRequest("field 'topic' must be a topic id or \"*\", not '" + topic + "'");
        }
        String rule = matcher(json, "rule").toUpperCase(Locale.ROOT);
        if (!rule.equals("*") && Arrays.stream(RuleKind.values()).noneMatch(k -> k.name().equals(rule))) {
            throw ApiException.badRequest("field 'rule' must be \"*\" or one of " + Arrays.toString(RuleKind.values()) + ", not '" + rule + "'");
        }
        String ruleSet = matcher(json, "rule_set");
        String severity = matcher(json, "severity");
        if (!severity.equals("*")) {
            try {
                severity = Severities.parse(severity).name();
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("field 'severity': " + e.getMessage());
            }
        }
        Instant now = Instant.now();
        Instant startsAt = json.instant("starts_at").orElse(now);
        Instant endsAt = json.instant("ends_at").orElseThrow(() -> ApiException.badRequest("field 'ends_at' is required"));
        if (!endsAt.isAfter(startsAt)) {
            throw ApiException.badRequest("'ends_at' (" + endsAt + ") must be after 'starts_at' (" + startsAt + ")");
        }
        if (!endsAt.isAfter(now)) {
            throw ApiException.badRequest("'ends_at' (" + endsAt + ") is in the past: such a silence would mute nothing");
        }
        String comment = json.requiredText("comment");
        if (comment.length() > 2000) {
            throw ApiException.badRequest("field 'comment' is longer than 2000 characters");
        }
        Map<String, Object> row = db.list("INSERT INTO silence (analyst_id, topic, rule, rule_set, severity, starts_at, ends_at, comment)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING " + COLUMNS + ", ?::text AS created_by",
                caller.analystId(), topic, rule, ruleSet, severity, startsAt, endsAt, comment, caller.name()).get(0);
        return Response.status(Response.Status.CREATED).entity(row).build();
    }

    @DELETE
    @Path("/{id}")
    @Operation(summary = "Expire a silence now (it stays listed)")
    @APIResponse(responseCode = "204", description = "expired")
    @APIResponse(responseCode = "403", description = "another analyst's silence")
    @APIResponse(responseCode = "404", description = "no such silence")
    public Response expire(@HeaderParam("X-Api-Key") String apiKey, @PathParam("id") long id) throws SQLException {
        Caller caller = auth.requireAnalyst(apiKey);
        Map<String, Object> row = db.one("SELECT analyst_id FROM silence WHERE id = ?", id)
                .orElseThrow(() -> ApiException.notFound("no silence " + id));
        if (((Number) row.get("analyst_id")).longValue() != caller.analystId()) {
            throw ApiException.forbidden("silence " + id + " belongs to another analyst");
        }
        db.update("UPDATE silence SET expired_at = COALESCE(expired_at, now()) WHERE id = ?", id);
        return Response.noContent().build();
    }

    private static String matcher(JsonBody json, String field) {
        String value = json.text(field).map(String::strip).orElse("*");
        if (value.isEmpty() || value.length() > 200) {
            throw ApiException.badRequest("field '" + field + "' must be \"*\" or a value of 1 to 200 characters");
        }
        return value;
    }
}
