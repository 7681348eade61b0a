package io.finsent.alerting.service.api;

import java.sql.SQLException;
import java.util.LinkedHashMap;
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

import io.finsent.alerting.service.AlertingConfig;
import io.finsent.common.ApiKeyHash;
import io.smallrye.common.annotation.Blocking;

/** Analysts and their keys: admin only, except {@code GET /v1/analysts/me}. */
@Path("/v1/analysts")
@Tag(name = "analysts", description = "Analysts and API keys (admin)")
@Blocking
@Produces(MediaType.APPLICATION_JSON)
public class AnalystsResource {

    private final Authenticator auth;
    private final Db db;
    private final int maxBody;

    AnalystsResource(Authenticator auth, Db db, AlertingConfig config) {
        this.auth = auth;
        this.db = db;
        this.maxBody = config.api().maxBodyBytes();
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Create an analyst", description = "Body: {\"name\": \"...\", \"role\": \"analyst\"|\"admin\"}. The answer holds"
            + " the analyst's new API key; it is shown this once and stored only as its SHA-256.")
    @APIResponse(responseCode = "201", description = "created: id, name, role, api_key")
    @APIResponse(responseCode = "403", description = "not an admin key")
    public Response create(@HeaderParam("X-Api-Key") String apiKey, byte[] body) throws SQLException {
        auth.requireAdmin(apiKey);
        JsonBody json = JsonBody.parse(body, maxBody, Set.of("name", "role"));
        String name = json.requiredText("name");
        if (name.length() > 200) {
            throw ApiException.badRequest("field 'name' is longer than 200 characters");
        }
        String role = json.text("role").map(r -> r.strip().toLowerCase(Locale.ROOT)).orElse("analyst");
        if (!role.equals("analyst") && !role.equals("admin")) {
            throw ApiException.badRequest("field 'role' must be 'analyst' or 'admin', not '" + role + "'");
        }
        String key = Authenticator.newKey();
        long id = db.transaction(c -> {
            long analystId = ((Number) Db.list(c, "INSERT INTO analyst (name) VALUES (?) RETURNING id", name).get(0).get("id")).longValue();
            Db.update(c, "INSERT INTO api_key (key_sha256, analyst_id, role) VALUES (?, ?, ?)", ApiKeyHash.hex(key), analystId, role);
            return analystId;
        });
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("id", id);
        answer.put("name", name);
        answer.put("role", role);
        answer.put("api_key", key);
        return Response.status(Response.Status.CREATED).entity(answer).build();
    }

    @GET
    @Operation(summary = "List analysts (admin)")
    public List<Map<String, Object>> list(@HeaderParam("X-Api-Key") String apiKey) throws SQLException {
        auth.requireAdmin(apiKey);
        return db.list("""
                SELECT a.id, a.name, a.created_at,
                       (SELECT string_agg(DISTINCT k.role, ',') FROM api_key k WHERE k.analyst_id = a.id AND k.revoked_at IS NULL) AS roles
                  FROM analyst a WHERE a.deleted_at IS NULL ORDER BY a.id
                """);
    }

    @GET
    @Path("/me")
    @Operation(summary = "Who this key belongs to")
    public Map<String, Object> me(@HeaderParam("X-Api-Key") String apiKey) throws SQLException {
        Caller caller = auth.require(apiKey);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("id", caller.analystId());
        answer.put("name", caller.name());
        answer.put("role", caller.role().name().toLowerCase(Locale.ROOT));
        return answer;
    }

    @DELETE
    @Path("/{id}")
    @Operation(summary = "Delete an analyst", description = "Revokes their keys and disables their subscriptions; history is kept.")
    @APIResponse(responseCode = "204", description = "deleted")
    @APIResponse(responseCode = "403", description = "not an admin key")
    @APIResponse(responseCode = "404", description = "no such analyst")
    public Response delete(@HeaderParam("X-Api-Key") String apiKey, @PathParam("id") long id) throws SQLException {
        auth.requireAdmin(apiKey);
        boolean deleted = db.transaction(c -> {
            if (Db.update(c, "UPDATE analyst SET deleted_at = now() WHERE id = ? AND deleted_at IS NULL", id) == 0) {
                return false;
            }
            Db.update(c, "UPDATE api_key SET revoked_at = now() WHERE analyst_id = ? AND revoked_at IS NULL", id);
            Db.update(c, "UPDATE subscription SET enabled = false, updated_at = now() WHERE analyst_id = ? AND deleted_at IS NULL", id);
            return true;
        });
        if (!deleted) {
            throw ApiException.notFound("no analyst " + id);
        }
        return Response.noContent().build();
    }
}
