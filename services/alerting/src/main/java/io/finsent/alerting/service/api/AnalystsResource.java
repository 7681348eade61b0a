package io.finsent.alerting.service.api;

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

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import io.finsent.alerting.store.AnalystTable;
import io.finsent.alerting.store.SubscriptionTable;
import io.finsent.common.ApiKeyHash;
import io.finsent.service.api.ApiProblem;
import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.common.annotation.Blocking;

/** Analysts and their keys: admin only, except {@code GET /v1/analysts/me}. */
@Path("/v1/analysts")
@Tag(name = "analysts", description = "Analysts and API keys (admin)")
@Blocking
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(AlertingKeys.ADMIN)
public class AnalystsResource {

    /** The body of {@code POST /v1/analysts}; {@code role} analyst (the default) or admin. */
    public record AnalystRequest(@NotNull(message = "is required") @NotBlank(message = "must not be empty") String name, String role) {

        String checkedName() {
            String stripped = name.strip();
            if (stripped.length() > 200) {
                throw ApiProblem.badRequest("field 'name' is longer than 200 characters");
            }
            return stripped;
        }

        String checkedRole() {
            String checked = role == null ? AlertingKeys.ANALYST : role.strip().toLowerCase(Locale.ROOT);
            if (!checked.equals(AlertingKeys.ANALYST) && !checked.equals(AlertingKeys.ADMIN)) {
                throw ApiProblem.badRequest("field 'role' must be 'analyst' or 'admin', not '" + checked + "'");
            }
            return checked;
        }
    }

    /** A new analyst, with their API key: shown this once, stored only as its SHA-256. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record CreatedAnalyst(long id, String name, String role, String apiKey) {
    }

    private final Jdbi jdbi;
    private final AnalystTable analysts;
    private final RequestBodies bodies;
    private final SecurityIdentity identity;

    AnalystsResource(Jdbi jdbi, RequestBodies bodies, SecurityIdentity identity) {
        this.jdbi = jdbi;
        this.analysts = jdbi.onDemand(AnalystTable.class);
        this.bodies = bodies;
        this.identity = identity;
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Create an analyst", description = "Body: {\"name\": \"...\", \"role\": \"analyst\"|\"admin\"}. The answer holds"
            + " the analyst's new API key; it is shown this once and stored only as its SHA-256.")
    @RequestBody(content = @Content(schema = @Schema(implementation = AnalystRequest.class)))
    @APIResponse(responseCode = "201", description = "created: id, name, role, api_key",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = CreatedAnalyst.class)))
    @APIResponse(responseCode = "403", description = "not an admin key")
    public Response create(byte[] body) {
        AnalystRequest request = bodies.read(body, AnalystRequest.class);
        String name = request.checkedName();
        String role = request.checkedRole();
        String key = AlertingKeys.newKey();
        long id = jdbi.inTransaction(h -> h.attach(AnalystTable.class).create(name, ApiKeyHash.hex(key), role));
        return Response.status(Response.Status.CREATED).entity(new CreatedAnalyst(id, name, role, key)).build();
    }

    @GET
    @Operation(summary = "List analysts (admin)")
    public List<AnalystTable.Analyst> list() {
        return analysts.live();
    }

    @GET
    @Path("/me")
    @Authenticated
    @Operation(summary = "Who this key belongs to", description = "id is null for the bootstrap admin key, which has no analyst.")
    public AnalystTable.KeyOwner me() {
        return AlertingKeys.owner(identity);
    }

    @DELETE
    @Path("/{id}")
    @Operation(summary = "Delete an analyst", description = "Revokes their keys and disables their subscriptions; history is kept.")
    @APIResponse(responseCode = "204", description = "deleted")
    @APIResponse(responseCode = "403", description = "not an admin key")
    @APIResponse(responseCode = "404", description = "no such analyst")
    public Response delete(@PathParam("id") long id) {
        boolean deleted = jdbi.inTransaction(h -> {
            AnalystTable table = h.attach(AnalystTable.class);
            if (table.markDeleted(id) == 0) {
                return false;
            }
            table.revokeKeys(id);
            h.attach(SubscriptionTable.class).disableAllOf(id);
            return true;
        });
        if (!deleted) {
            throw ApiProblem.notFound("no analyst " + id);
        }
        return Response.noContent().build();
    }
}
