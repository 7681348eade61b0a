package io.finsent.alerting.service.api;

import java.net.URI;
import java.net.URISyntaxException;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import com.fasterxml.jackson.databind.JsonNode;

import io.finsent.alerting.rules.RuleParams;
import io.finsent.alerting.service.AlertingConfig;
import io.finsent.alerting.service.Severities;
import io.smallrye.common.annotation.Blocking;

/**
 * An analyst's subscriptions: a topic (or '*'), optional rule overrides (their own rule set), a minimum severity
 * and a webhook. Each analyst sees and changes only their own: another analyst's subscription is 403.
 */
@Path("/v1/subscriptions")
@Tag(name = "subscriptions", description = "What an analyst is told about")
@Blocking
@Produces(MediaType.APPLICATION_JSON)
public class SubscriptionsResource {

    /** Topic ids: lower-case slugs, as in topic.config. */
    static final Pattern TOPIC_ID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,99}");
    private static final Set<String> FIELDS = Set.of("topic", "rule_params", "min_severity", "webhook_url", "webhook_secret", "enabled");
    private static final String COLUMNS = """
            id, topic, rule_overrides::text AS rule_overrides, rule_set, min_severity, webhook_url, enabled, created_at, updated_at
            """;

    private final Authenticator auth;
    private final Db db;
    private final int maxBody;

    SubscriptionsResource(Authenticator auth, Db db, AlertingConfig config) {
        this.auth = auth;
        this.db = db;
        this.maxBody = config.api().maxBodyBytes();
    }

    /** A validated request body. */
    private record Subscription(String topic, String overrides, RuleParams params, String minSeverity, String webhookUrl,
                                String webhookSecret, boolean enabled) {
    }

    @GET
    @Operation(summary = "The caller's subscriptions")
    public List<Map<String, Object>> list(@HeaderParam("X-Api-Key") String apiKey) throws SQLException {
        Caller caller = auth.requireAnalyst(apiKey);
        return db.list("SELECT " + COLUMNS + " FROM subscription WHERE analyst_id = ? AND deleted_at IS NULL ORDER BY id", caller.analystId())
                .stream().map(SubscriptionsResource::view).toList();
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Subscribe", description = "Body: topic (an id or \"*\"), rule_params (optional overrides of the default rule"
            + " parameters), min_severity (INFO, WARNING (default), CRITICAL), webhook_url (optional), webhook_secret (optional;"
            + " generated and returned once when absent), enabled (default true).")
    @APIResponse(responseCode = "201", description = "created; holds webhook_secret when it was generated")
    @APIResponse(responseCode = "400", description = "invalid body, the field named")
    public Response create(@HeaderParam("X-Api-Key") String apiKey, byte[] body) throws SQLException {
        Caller caller = auth.requireAnalyst(apiKey);
        Subscription s = parse(body);
        boolean generated = s.webhookSecret() == null;
        String secret = generated ? Authenticator.newKey() : s.webhookSecret();
        Map<String, Object> row = db.list("INSERT INTO subscription (analyst_id, topic, rule_overrides, rule_set, rule_params, min_severity,"
                + " webhook_url, webhook_secret, enabled) VALUES (?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?) RETURNING " + COLUMNS,
                caller.analystId(), s.topic(), s.overrides(), s.params().id(), s.params().toJson(), s.minSeverity(), s.webhookUrl(),
                secret, s.enabled()).get(0);
        Map<String, Object> answer = view(row);
        if (generated) {
            answer.put("webhook_secret", secret);
        }
        return Response.status(Response.Status.CREATED).entity(answer).build();
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "One of the caller's subscriptions")
    @APIResponse(responseCode = "403", description = "another analyst's subscription")
    @APIResponse(responseCode = "404", description = "no such subscription")
    public Map<String, Object> get(@HeaderParam("X-Api-Key") String apiKey, @PathParam("id") long id) throws SQLException {
        Caller caller = auth.requireAnalyst(apiKey);
        owned(caller, id);
        return view(db.one("SELECT " + COLUMNS + " FROM subscription WHERE id = ?", id).orElseThrow());
    }

    @PUT
    @Path("/{id}")
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Replace a subscription", description = "Same body as POST; an absent webhook_secret keeps the current one.")
    @APIResponse(responseCode = "403", description = "another analyst's subscription")
    @APIResponse(responseCode = "404", description = "no such subscription")
    public Map<String, Object> replace(@HeaderParam("X-Api-Key") String apiKey, @PathParam("id") long id, byte[] body) throws SQLException {
        Caller caller = auth.requireAnalyst(apiKey);
        owned(caller, id);
        Subscription s = parse(body);
        return view(db.list("UPDATE subscription SET topic = ?, rule_overrides = ?::jsonb, rule_set = ?, rule_params = ?, min_severity = ?,"
                + " webhook_url = ?, webhook_secret = COALESCE(?, webhook_secret), enabled = ?, updated_at = now()"
                + " WHERE id = ? RETURNING " + COLUMNS,
                s.topic(), s.overrides(), s.params().id(), s.params().toJson(), s.minSeverity(), s.webhookUrl(), s.webhookSecret(),
                s.enabled(), id).get(0));
    }

    @DELETE
    @Path("/{id}")
    @Operation(summary = "Unsubscribe")
    @APIResponse(responseCode = "204", description = "deleted")
    @APIResponse(responseCode = "403", description = "another analyst's subscription")
    @APIResponse(responseCode = "404", description = "no such subscription")
    public Response delete(@HeaderParam("X-Api-Key") String apiKey, @PathParam("id") long id) throws SQLException {
        Caller caller = auth.requireAnalyst(apiKey);
        owned(caller, id);
        db.update("UPDATE subscription SET deleted_at = now(), enabled = false, updated_at = now() WHERE id = ?", id);
        return Response.noContent().build();
    }

    /** 404 when there is no such subscription, 403 when it is another analyst's. */
    private void owned(Caller caller, long id) throws SQLException {
        Map<String, Object> row = db.one("SELECT analyst_id FROM subscription WHERE id = ? AND deleted_at IS NULL", id)
                .orElseThrow(() -> ApiException.notFound("no subscription " + id));
        if (((Number) row.get("analyst_id")).longValue() != caller.analystId()) {
            throw ApiException.forbidden("subscription " + id + " belongs to another analyst");
        }
    }

    private Subscription parse(byte[] body) {
        JsonBody json = JsonBody.parse(body, maxBody, FIELDS);
        String topic = json.requiredText("topic");
        if (!topic.equals("*") && !TOPIC_ID.matcher(topic).matches()) {
            throw ApiException.badRequest("field 'topic' must be a topic id (lower-case letters, digits, '.', '_', '-') or \"*\", not '"
                    + topic + "'");
        }
        String overrides = json.object("rule_params").map(JsonNode::toString).orElse(null);
        RuleParams params;
        try {
            params = overrides == null ? RuleParams.defaults() : RuleParams.fromJson(overrides);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("invalid rule_params: " + e.getMessage());
        }
        String minSeverity;
        try {
            minSeverity = json.text("min_severity").map(Severities::parse).map(Enum::name).orElse("WARNING");
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("field 'min_severity': " + e.getMessage());
        }
        String url = json.text("webhook_url").map(String::strip).filter(u -> !u.isEmpty()).orElse(null);
        if (url != null) {
            validateUrl(url);
        }
        String secret = json.text("webhook_secret").orElse(null);
        if (secret != null && (secret.length() < 16 || secret.length() > 256)) {
            throw ApiException.badRequest("field 'webhook_secret' must be 16 to 256 characters long");
        }
        return new Subscription(topic, overrides, params, minSeverity, url, secret, json.bool("enabled").orElse(true));
    }

    /** Syntax only: where a webhook may go (no private addresses, ...) is decided at delivery. */
    static void validateUrl(String url) {
        if (url.length() > 2048) {
            throw ApiException.badRequest("field 'webhook_url' is longer than 2048 characters");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw ApiException.badRequest("field 'webhook_url' is not a URL: " + e.getMessage());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")) {
            throw ApiException.badRequest("field 'webhook_url' must be an http or https URL, not '" + url + "'");
        }
        if (uri.getHost() == null || uri.getHost().isBlank()) {
            throw ApiException.badRequest("field 'webhook_url' has no host: '" + url + "'");
        }
        if (uri.getUserInfo() != null) {
            throw ApiException.badRequest("field 'webhook_url' must not hold credentials; the webhook is signed with webhook_secret");
        }
    }

    private static Map<String, Object> view(Map<String, Object> row) {
        Map<String, Object> v = new LinkedHashMap<>(row);
        Object overrides = v.remove("rule_overrides");
        v.put("rule_params", overrides == null ? null : Json.tree((String) overrides));
        return v;
    }
}
