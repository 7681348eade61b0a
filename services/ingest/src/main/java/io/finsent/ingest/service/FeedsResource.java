package io.finsent.ingest.service;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.finsent.common.StorableText;
import io.finsent.service.api.JsonRequests;
import io.smallrye.common.annotation.Blocking;

/** {@code /v1/feeds}: the feed list and each feed's status (last success, last error, items seen). */
@Path("/v1/feeds")
@Tag(name = "feeds", description = "RSS and Atom feeds polled by the service")
@Produces(MediaType.APPLICATION_JSON)
public class FeedsResource {

    /** A feed to add: its URL and, optionally, an ISO-8601 poll interval such as PT5M. */
    public record FeedRequest(@NotNull(message = "is required: send {\"url\": \"https://...\", \"interval\": \"PT5M\"} (interval optional)") String url,
            String interval) {
    }

    private static final int MAX_BODY_BYTES = 64 * 1024;

    private final FeedPoller poller;
    private final JsonRequests json;

    FeedsResource(FeedPoller poller, JsonRequests json) {
        this.poller = poller;
        this.json = json;
    }

    @GET
    @Operation(summary = "Every feed with its status")
    public List<FeedStatus> list() {
        return poller.statuses();
    }

    @GET
    @Path("/status")
    @Operation(summary = "One feed's status")
    @APIResponse(responseCode = "404", description = "no such feed")
    public Response status(@QueryParam("url") String url) {
        return poller.status(url == null ? "" : url).map(s -> Response.ok(s).build())
                .orElse(ItemsResource.error(Response.Status.NOT_FOUND, "no feed " + StorableText.abbreviated(url, 100) + "; GET /v1/feeds lists them").build());
    }

    @POST
    @Blocking
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Add a feed (or change its interval); needs an API key with the feeds role")
    @APIResponse(responseCode = "201", description = "added; polled at the next tick")
    @APIResponse(responseCode = "400", description = "not an http(s) URL, or a bad interval")
    @APIResponse(responseCode = "401", description = "no API key or an unknown one")
    @APIResponse(responseCode = "403", description = "the key lacks the feeds role")
    @RolesAllowed(IngestKeys.FEEDS)
    @RequestBody(content = @Content(schema = @Schema(implementation = FeedRequest.class)))
    public Response add(byte[] body) {
        FeedRequest request = json.read(body, MAX_BODY_BYTES, FeedRequest.class);
        Duration interval = null;
        if (request.interval() != null) {
            try {
                interval = Duration.parse(request.interval());
            } catch (DateTimeParseException e) {
                return ItemsResource.error(Response.Status.BAD_REQUEST, "interval '" + StorableText.abbreviated(request.interval(), 100)
                        + "' is not an ISO-8601 duration such as PT5M").build();
            }
        }
        try {
            return Response.status(Response.Status.CREATED).entity(poller.add(request.url(), interval)).build();
        } catch (IllegalArgumentException e) {
            return ItemsResource.error(Response.Status.BAD_REQUEST, e.getMessage()).build();
        }
    }

    @DELETE
    @Operation(summary = "Stop polling a feed; needs an API key with the feeds role")
    @APIResponse(responseCode = "204", description = "removed")
    @APIResponse(responseCode = "404", description = "no such feed")
    @RolesAllowed(IngestKeys.FEEDS)
    public Response remove(@QueryParam("url") String url) {
        return url != null && poller.remove(url) ? Response.noContent().build()
                : ItemsResource.error(Response.Status.NOT_FOUND, "no feed " + StorableText.abbreviated(url, 100)).build();
    }
}
