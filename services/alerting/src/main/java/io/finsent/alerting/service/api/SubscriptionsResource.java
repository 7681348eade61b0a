package io.finsent.alerting.service.api;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jdbi.v3.core.Jdbi;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.finsent.alerting.rules.RuleParams;
import io.finsent.alerting.service.Severities;
import io.finsent.alerting.service.WebhookTargets;
import io.finsent.alerting.store.SubscriptionTable;
import io.finsent.common.TargetPolicy;
import io.finsent.service.api.ApiProblem;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.common.annotation.Blocking;

/**
 * An analyst's subscriptions: a topic (or '*'), optional rule overrides (their own rule set), a minimum severity
 * and a webhook. Each analyst sees and changes only their own: another analyst's subscription is 403.
 */
@Path("/v1/subscriptions")
@Tag(name = "subscriptions", description = "What an analyst is told about")
@Blocking
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(AlertingKeys.ANALYST)
public class SubscriptionsResource {

    /** Topic ids: lower-case slugs, as in topic.config. */
    static final Pattern TOPIC_ID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,99}");

    /**
     * The body of {@code POST} and {@code PUT}: {@code rule_params} overrides the default rule parameters, {@code min_severity}
     * defaults to WARNING, {@code enabled} to true; an absent {@code webhook_secret} is generated (POST) or kept (PUT).
     */
    public record SubscriptionRequest(@NotNull(message = "is required") @NotBlank(message = "must not be empty") String topic,
                                      ObjectNode ruleParams, String minSeverity, String webhookUrl,
                                      @Size(min = 16, max = 256, message = "must be 16 to 256 characters long") String webhookSecret,
                                      Boolean enabled) {

        /** The checked request as the store writes it; the webhook's target must pass {@code targets} now, and does again at delivery. */
        SubscriptionTable.Settings toSettings(TargetPolicy targets) {
            String checkedTopic = topic.strip();
            if (!checkedTopic.equals("*") && !TOPIC_ID.matcher(checkedTopic).matches()) {
                throw ApiProblem.badRequest("field 'topic' must be a topic id (lower-case letters, digits, '.', '_', '-') or \"*\", not '"
                        + checkedTopic + "'");
            }
            String overrides = ruleParams == null ? null : ruleParams.toString();
            RuleParams params;
            try {
                params = overrides == null ? RuleParams.defaults() : RuleParams.fromJson(overrides);
            } catch (IllegalArgumentException e) {
                throw ApiProblem.badRequest("invalid rule_params: " + e.getMessage());
            }
            String severity;
            try {
                severity = minSeverity == null ? "WARNING" : Severities.parse(minSeverity).name();
            } catch (IllegalArgumentException e) {
                throw ApiProblem.badRequest("field 'min_severity': " + e.getMessage());
            }
            String url = webhookUrl == null || webhookUrl.isBlank() ? null : webhookUrl.strip();
            if (url != null) {
                validateUrl(url);
                if (targets.check(url) instanceof TargetPolicy.Refused refused) {
                    throw ApiProblem.badRequest("field 'webhook_url' is refused: " + refused.reason()
                            + (refused.privateNetwork() ? " (alerting.notify.allow-private-targets=true lets receivers on your own network through)" : ""));
                }
            }
            return new SubscriptionTable.Settings(checkedTopic, overrides, params.id(), params.toJson(), severity, url, webhookSecret,
                    enabled == null || enabled);
        }
    }

    /**
     * A subscription as its analyst sees it: {@code rule_params} the overrides as given (null for the defaults), and the
     * {@code webhook_secret} only in the answer that generated it.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record SubscriptionView(long id, String topic, String ruleSet, String minSeverity, String webhookUrl, boolean enabled,
                                   Instant createdAt, Instant updatedAt, JsonNode ruleParams,
                                   @JsonInclude(JsonInclude.Include.NON_NULL) String webhookSecret) {
    }

    private final SubscriptionTable subscriptions;
    private final RequestBodies bodies;
    private final ObjectMapper mapper;
    private final SecurityIdentity identity;
    private final WebhookTargets targets;

    SubscriptionsResource(Jdbi jdbi, RequestBodies bodies, ObjectMapper mapper, SecurityIdentity identity, WebhookTargets targets) {
        this.targets = targets;
        this.subscriptions = jdbi.onDemand(SubscriptionTable.class);
        this.bodies = bodies;
        this.mapper = mapper;
        this.identity = identity;
    }

    @GET
    @Operation(summary = "The caller's subscriptions")
    public List<SubscriptionView> list() {
        return subscriptions.ofAnalyst(AlertingKeys.analystId(identity)).stream().map(s -> view(s, null)).toList();
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Subscribe", description = "Body: topic (an id or \"*\"), rule_params (optional overrides of the default rule"
            + " parameters), min_severity (INFO, WARNING (default), CRITICAL), webhook_url (optional), webhook_secret (optional;"
            + " generated and returned once when absent), enabled (default true).")
    @RequestBody(content = @Content(schema = @Schema(implementation = SubscriptionRequest.class)))
    @APIResponse(responseCode = "201", description = "created; holds webhook_secret when it was generated",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = SubscriptionView.class)))
    @APIResponse(responseCode = "400", description = "invalid body, the field named")
    public Response create(byte[] body) {
        SubscriptionTable.Settings settings = bodies.read(body, SubscriptionRequest.class).toSettings(targets.policy());
        boolean generated = settings.webhookSecret() == null;
        if (generated) {
            settings = settings.withWebhookSecret(AlertingKeys.newKey());
        }
        SubscriptionTable.Subscription created = subscriptions.insert(AlertingKeys.analystId(identity), settings);
        return Response.status(Response.Status.CREATED).entity(view(created, generated ? settings.webhookSecret() : null)).build();
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "One of the caller's subscriptions")
    @APIResponse(responseCode = "200", description = "the subscription",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = SubscriptionView.class)))
    @APIResponse(responseCode = "403", description = "another analyst's subscription")
    @APIResponse(responseCode = "404", description = "no such subscription")
    public SubscriptionView get(@PathParam("id") long id) {
        owned(id);
        return view(subscriptions.get(id).orElseThrow(), null);
    }

    @PUT
    @Path("/{id}")
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Replace a subscription", description = "Same body as POST; an absent webhook_secret keeps the current one.")
    @RequestBody(content = @Content(schema = @Schema(implementation = SubscriptionRequest.class)))
    @APIResponse(responseCode = "200", description = "the subscription as replaced",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = SubscriptionView.class)))
    @APIResponse(responseCode = "403", description = "another analyst's subscription")
    @APIResponse(responseCode = "404", description = "no such subscription")
    public SubscriptionView replace(@PathParam("id") long id, byte[] body) {
        owned(id);
        SubscriptionTable.Settings settings = bodies.read(body, SubscriptionRequest.class).toSettings(targets.policy());
        return view(subscriptions.update(id, settings), null);
    }

    @DELETE
    @Path("/{id}")
    @Operation(summary = "Unsubscribe")
    @APIResponse(responseCode = "204", description = "deleted")
    @APIResponse(responseCode = "403", description = "another analyst's subscription")
    @APIResponse(responseCode = "404", description = "no such subscription")
    public Response delete(@PathParam("id") long id) {
        owned(id);
        subscriptions.delete(id);
        return Response.noContent().build();
    }

    /** 404 when there is no such subscription, 403 when it is another analyst's. */
    private void owned(long id) {
        long owner = subscriptions.ownerOf(id).orElseThrow(() -> ApiProblem.notFound("no subscription " + id));
        if (owner != AlertingKeys.analystId(identity)) {
            throw ApiProblem.forbidden("subscription " + id + " belongs to another analyst");
        }
    }

    /** Syntax: where a webhook may go (no private addresses, ...) is the {@link TargetPolicy}'s, at creation and at delivery. */
    static void validateUrl(String url) {
        if (url.length() > 2048) {
            throw ApiProblem.badRequest("field 'webhook_url' is longer than 2048 characters");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw ApiProblem.badRequest("field 'webhook_url' is not a URL: " + e.getMessage());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")) {
            throw ApiProblem.badRequest("field 'webhook_url' must be an http or https URL, not '" + url + "'");
        }
        if ((uri.getHost() == null || uri.getHost().isBlank()) && uri.getRawAuthority() != null) {
            // 127.1, 0x7f.0.0.1 and the like: nothing the address policy could check
            throw ApiProblem.badRequest("field 'webhook_url' is refused: its host '" + uri.getRawAuthority().replaceFirst("^.*@", "")
                    + "' is neither a name nor a plain dotted quad (a.b.c.d)");
        }
        if (uri.getHost() == null || uri.getHost().isBlank()) {
            throw ApiProblem.badRequest("field 'webhook_url' has no host: '" + url + "'");
        }
        if (uri.getUserInfo() != null) {
            throw ApiProblem.badRequest("field 'webhook_url' must not hold credentials; the webhook is signed with webhook_secret");
        }
    }

    private SubscriptionView view(SubscriptionTable.Subscription s, String generatedSecret) {
        JsonNode overrides;
        try {
            overrides = s.ruleOverrides() == null ? null : mapper.readTree(s.ruleOverrides());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored rule_overrides are not valid JSON: " + e.getOriginalMessage(), e);
        }
        return new SubscriptionView(s.id(), s.topic(), s.ruleSet(), s.minSeverity(), s.webhookUrl(), s.enabled(), s.createdAt(),
                s.updatedAt(), overrides, generatedSecret);
    }
}
