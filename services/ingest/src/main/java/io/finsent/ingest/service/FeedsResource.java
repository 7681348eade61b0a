package io.finsent.ingest.service;

import java.time.Duration;
import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
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

/**
 * {@code /v1/feeds}: the feed list and each feed's status (last success, last error, items seen), all behind the
 * {@code feeds} role. URLs are shown without user info and query; a feed is named by its short id.
 */
@Path("/v1/feeds")
@Tag(name = "feeds", description = "RSS and Atom feeds polled by the service")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(IngestKeys.FEEDS)
public class FeedsResource {

    /** A feed to add: its URL and, optionally, an ISO-8601 poll interval such as PT5M, tickers for every entry and a name (the items' source). */
    public record FeedRequest(@NotNull(message = "is required: send {\"url\": \"https://...\", \"interval\": \"PT5M\", \"tickers\": [\"AAPL\"],"
            + " \"name\": \"...\"} (all but url optional)") String url, String interval, List<String> tickers, String name) {
    }

    private static final int MAX_BODY_BYTES = 64 * 1024;

    private final FeedPoller poller;
    private final JsonRequests json;

    FeedsResource(FeedPoller poller, JsonRequests json) {
        this.poller = poller;
        this.json = json;
    }

    @GET
    @Operation(summary = "Every feed with its status; needs an API key with the feeds role")
    @APIResponse(responseCode = "401", description = "no API key or an unknown one")
    @APIResponse(responseCode = "403", description = "the key lacks the feeds role")
    public List<FeedStatus> list() {
        return poller.statuses();
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "One feed's status, by its id")
    @APIResponse(responseCode = "404", description = "no such feed")
    public Response get(@PathParam("id") String id) {
        return poller.statusById(id).map(s -> Response.ok(s).build()).orElseGet(() -> noFeed(id));
    }

    @GET
    @Path("/status")
    @Operation(summary = "One feed's status, by its URL")
    @APIResponse(responseCode = "404", description = "no such feed")
    public Response status(@QueryParam("url") String url) {
        return poller.status(url).map(s -> Response.ok(s).build()).orElseGet(() -> noFeed(url == null ? "" : FeedFetcher.redacted(url)));
    }

    @POST
    @Blocking
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Add a feed (or replace its interval, tickers and name); needs an API key with the feeds role")
    @APIResponse(responseCode = "201", description = "added; polled at the next tick; the answer has its id")
    @APIResponse(responseCode = "400", description = "not an http(s) URL, a refused address, a bad interval, ticker or name")
    @APIResponse(responseCode = "401", description = "no API key or an unknown one")
    @APIResponse(responseCode = "403", description = "the key lacks the feeds role")
    @RequestBody(content = @Content(schema = @Schema(implementation = FeedRequest.class)))
    public Response add(byte[] body) throws InterruptedException {
        FeedRequest request = json.read(body, MAX_BODY_BYTES, FeedRequest.class);
        try {
            Duration interval = request.interval() == null ? null : FeedSpec.interval(request.interval());
            FeedStatus added = poller.addDurably(new FeedSpec(request.url(), interval, request.tickers(), request.name()));
            return Response.status(Response.Status.CREATED).entity(added).build();
        } catch (IllegalArgumentException e) {
            return ItemsResource.error(Response.Status.BAD_REQUEST, e.getMessage()).build();
        } catch (FeedStore.FeedStoreException e) {
            return unavailable(e);
        }
    }

    @DELETE
    @Path("/{id}")
    @Operation(summary = "Stop polling a feed, by its id; needs an API key with the feeds role")
    @APIResponse(responseCode = "204", description = "removed")
    @APIResponse(responseCode = "404", description = "no such feed")
    @Blocking
    public Response removeById(@PathParam("id") String id) throws InterruptedException {
        try {
            return poller.removeDurably(id) ? Response.noContent().build() : noFeed(id);
        } catch (FeedStore.FeedStoreException e) {
            return unavailable(e);
        }
    }

    @DELETE
    @Operation(summary = "Stop polling a feed, by its URL; needs an API key with the feeds role")
    @APIResponse(responseCode = "204", description = "removed")
    @APIResponse(responseCode = "404", description = "no such feed")
    @Blocking
    public Response remove(@QueryParam("url") String url) throws InterruptedException {
        if (url == null) {
            return noFeed("");
        }
        try {
            return poller.removeDurably(FeedPoller.idOf(url.strip())) ? Response.noContent().build() : noFeed(FeedFetcher.redacted(url));
        } catch (FeedStore.FeedStoreException e) {
            return unavailable(e);
        }
    }

    private static Response unavailable(FeedStore.FeedStoreException e) {
        return ItemsResource.error(Response.Status.SERVICE_UNAVAILABLE, e.getMessage()).header("Retry-After", "5").build();
    }

    private static Response noFeed(String which) {
        return ItemsResource.error(Response.Status.NOT_FOUND, "no feed " + StorableText.abbreviated(which, 100) + "; GET /v1/feeds lists them").build();
    }
}
