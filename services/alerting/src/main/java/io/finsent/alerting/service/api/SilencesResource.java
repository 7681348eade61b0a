package io.finsent.alerting.service.api;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
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

import io.finsent.alerting.rules.RuleKind;
import io.finsent.alerting.service.Severities;
import io.finsent.alerting.store.AnalystTable;
import io.finsent.alerting.store.SilenceTable;
import io.finsent.service.api.ApiProblem;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.common.annotation.Blocking;

/**
 * Silences, as in Alertmanager: matchers (topic, rule, rule_set, severity; each exact or "*"), a time range and a
 * comment. A silence mutes only its creator's notifications; the alerts themselves are still recorded.
 */
@Path("/v1/silences")
@Tag(name = "silences", description = "Mute the caller's notifications for a while")
@Blocking
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(AlertingKeys.ANALYST)
public class SilencesResource {

    /** The body of {@code POST /v1/silences}: matchers default to "*", {@code starts_at} to now; times ISO-8601. */
    public record SilenceRequest(String topic, String rule, String ruleSet, String severity, String startsAt,
                                 @NotNull(message = "is required") String endsAt,
                                 @NotNull(message = "is required") @NotBlank(message = "must not be empty") String comment) {

        /** The checked request as the store writes it, for {@code analystId}, at {@code now}. */
        SilenceTable.NewSilence toSilence(long analystId, Instant now) {
            String checkedTopic = matcher("topic", topic);
            if (!checkedTopic.equals("*") && !SubscriptionsResource.TOPIC_ID.matcher(checkedTopic).matches()) {
                throw ApiProblem.badRequest("field 'topic' must be a topic id or \"*\", not '" + checkedTopic + "'");
            }
            String checkedRule = matcher("rule", rule).toUpperCase(Locale.ROOT);
            if (!checkedRule.equals("*") && Arrays.stream(RuleKind.values()).noneMatch(k -> k.name().equals(checkedRule))) {
                throw ApiProblem.badRequest("field 'rule' must be \"*\" or one of " + Arrays.toString(RuleKind.values()) + ", not '"
                        + checkedRule + "'");
            }
            String checkedRuleSet = matcher("rule_set", ruleSet);
            String checkedSeverity = matcher("severity", severity);
            if (!checkedSeverity.equals("*")) {
                try {
                    checkedSeverity = Severities.parse(checkedSeverity).name();
                } catch (IllegalArgumentException e) {
                    throw ApiProblem.badRequest("field 'severity': " + e.getMessage());
                }
            }
            Instant start = startsAt == null ? now : Times.instant("starts_at", startsAt);
            Instant end = Times.instant("ends_at", endsAt);
            if (!end.isAfter(start)) {
                throw ApiProblem.badRequest("'ends_at' (" + end + ") must be after 'starts_at' (" + start + ")");
            }
            if (!end.isAfter(now)) {
                throw ApiProblem.badRequest("'ends_at' (" + end + ") is in the past: such a silence would mute nothing");
            }
            String checkedComment = comment.strip();
            if (checkedComment.length() > 2000) {
                throw ApiProblem.badRequest("field 'comment' is longer than 2000 characters");
            }
            return new SilenceTable.NewSilence(analystId, checkedTopic, checkedRule, checkedRuleSet, checkedSeverity, start, end, checkedComment);
        }

        private static String matcher(String field, String value) {
            String checked = value == null ? "*" : value.strip();
            if (checked.isEmpty() || checked.length() > 200) {
                throw ApiProblem.badRequest("field '" + field + "' must be \"*\" or a value of 1 to 200 characters");
            }
            return checked;
        }
    }

    private final SilenceTable silences;
    private final RequestBodies bodies;
    private final SecurityIdentity identity;

    SilencesResource(Jdbi jdbi, RequestBodies bodies, SecurityIdentity identity) {
        this.silences = jdbi.onDemand(SilenceTable.class);
        this.bodies = bodies;
        this.identity = identity;
    }

    @GET
    @Operation(summary = "The caller's silences, newest first")
    public List<SilenceTable.Silence> list() {
        AnalystTable.KeyOwner caller = AlertingKeys.owner(identity);
        return silences.ofAnalyst(caller.id(), caller.name());
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Create a silence", description = "Body: topic, rule, rule_set, severity (each exact or \"*\", default \"*\"),"
            + " starts_at (ISO-8601, default now), ends_at (ISO-8601, after starts_at and in the future), comment (why; required).")
    @RequestBody(content = @Content(schema = @Schema(implementation = SilenceRequest.class)))
    @APIResponse(responseCode = "201", description = "created",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = SilenceTable.Silence.class)))
    @APIResponse(responseCode = "400", description = "invalid body, the field named")
    public Response create(byte[] body) {
        AnalystTable.KeyOwner caller = AlertingKeys.owner(identity);
        SilenceTable.NewSilence silence = bodies.read(body, SilenceRequest.class).toSilence(caller.id(), Instant.now());
        return Response.status(Response.Status.CREATED).entity(silences.insert(silence, caller.name())).build();
    }

    @DELETE
    @Path("/{id}")
    @Operation(summary = "Expire a silence now (it stays listed)")
    @APIResponse(responseCode = "204", description = "expired")
    @APIResponse(responseCode = "403", description = "another analyst's silence")
    @APIResponse(responseCode = "404", description = "no such silence")
    public Response expire(@PathParam("id") long id) {
        long owner = silences.ownerOf(id).orElseThrow(() -> ApiProblem.notFound("no silence " + id));
        if (owner != AlertingKeys.analystId(identity)) {
            throw ApiProblem.forbidden("silence " + id + " belongs to another analyst");
        }
        silences.expire(id);
        return Response.noContent().build();
    }
}
