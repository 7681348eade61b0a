package io.finsent.scorer.replay;

import java.net.URI;
import java.util.List;
import java.util.Map;

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

import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import io.smallrye.common.annotation.Blocking;

/**
 * {@code /v1/replays}: start (or resume) a replay of the raw topic over a time range, follow it, cancel it. Every call
 * needs the admin key ({@link AdminKey}). Bad input is 400 with the reason, an unknown run 404, a second replay while
 * one runs 409 (and so is cancelling a run that does not run).
 */
@Path("/v1/replays")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class ReplaysResource {

    private final AdminKey adminKey;
    private final ReplayService replays;

    ReplaysResource(AdminKey adminKey, ReplayService replays) {
        this.adminKey = adminKey;
        this.replays = replays;
    }

    /** 202 with the run's status; its progress at {@code GET /v1/replays/{run}}. */
    @POST
    @Consumes(MediaType.WILDCARD)
    public Response start(@HeaderParam("X-Api-Key") String apiKey, String body) {
        adminKey.require(apiKey);
        Map<String, Object> status;
        try {
            status = replays.start(ReplayRequest.parse(body));
        } catch (IllegalArgumentException e) {
            throw new ReplayApiException(Response.Status.BAD_REQUEST, e.getMessage());
        }
        return Response.accepted(status).location(URI.create("/v1/replays/" + status.get("run_id"))).build();
    }

    /** Every replay started since the scorer started, oldest first. */
    @GET
    public List<Map<String, Object>> list(@HeaderParam("X-Api-Key") String apiKey) {
        adminKey.require(apiKey);
        return replays.list();
    }

    @GET
    @Path("{run}")
    public Map<String, Object> status(@HeaderParam("X-Api-Key") String apiKey, @PathParam("run") String run) {
        adminKey.require(apiKey);
        return replays.status(run).orElseThrow(() -> unknown(run));
    }

    /** 202: the replay stops within seconds, its progress committed; {@code POST} the same run id to resume it. */
    @DELETE
    @Path("{run}")
    public Response cancel(@HeaderParam("X-Api-Key") String apiKey, @PathParam("run") String run) {
        adminKey.require(apiKey);
        return Response.accepted(replays.cancel(run).orElseThrow(() -> unknown(run))).build();
    }

    private static ReplayApiException unknown(String run) {
        return new ReplayApiException(Response.Status.NOT_FOUND, "no replay '" + run + "' was started on this scorer since it started"
                + " (GET /v1/replays lists them)");
    }

    @ServerExceptionMapper
    Response refused(ReplayApiException e) {
        return error(e.status(), e.getMessage());
    }

    @ServerExceptionMapper
    Response busy(ReplayService.Busy e) {
        return error(Response.Status.CONFLICT, e.getMessage());
    }

    private static Response error(Response.Status status, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(Map.of("error", message)).build();
    }
}
