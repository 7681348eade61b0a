package io.finsent.scorer.replay;

import java.net.URI;
import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import io.finsent.service.api.ApiError;
import io.finsent.service.api.ApiProblem;
import io.finsent.service.api.JsonRequests;
import io.smallrye.common.annotation.Blocking;

/**
 * {@code /v1/replays}: start (or resume) a replay of the raw topic over a time range, follow it, cancel it. Every call
 * needs the admin key ({@link ScorerKeys}). Bad input is 400 with the reason, an unknown run 404, a second replay while
 * one runs 409 (and so is cancelling a run that does not run).
 */
@Path("/v1/replays")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(ScorerKeys.ADMIN)
@Blocking
public class ReplaysResource {

    private static final int MAX_BODY_BYTES = 16 * 1024;

    private final ReplayService replays;
    private final JsonRequests json;

    ReplaysResource(ReplayService replays, JsonRequests json) {
        this.replays = replays;
        this.json = json;
    }

    /** 202 with the run's status; its progress at {@code GET /v1/replays/{run}}. */
    @POST
    @Consumes(MediaType.WILDCARD)
    public Response start(byte[] body) {
        ReplayStatus status;
        try {
            status = replays.start(json.read(body, MAX_BODY_BYTES, ReplayRequest.Body.class).toRequest());
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest(e.getMessage());
        }
        return Response.accepted(status).location(URI.create("/v1/replays/" + status.runId())).build();
    }

    /** Every replay started since the scorer started, oldest first. */
    @GET
    public List<ReplayStatus> list() {
        return replays.list();
    }

    @GET
    @Path("{run}")
    public ReplayStatus status(@PathParam("run") String run) {
        return replays.status(run).orElseThrow(() -> unknown(run));
    }

    /** 202: the replay stops within seconds, its progress committed; {@code POST} the same run id to resume it. */
    @DELETE
    @Path("{run}")
    public Response cancel(@PathParam("run") String run) {
        return Response.accepted(replays.cancel(run).orElseThrow(() -> unknown(run))).build();
    }

    private static ApiProblem unknown(String run) {
        return ApiProblem.notFound("no replay '" + run + "' was started on this scorer since it started (GET /v1/replays lists them)");
    }

    @ServerExceptionMapper
    Response busy(ReplayService.Busy e) {
        return ApiError.response(Response.Status.CONFLICT, e.getMessage()).build();
    }
}
