package io.finsent.ingest.service;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.logging.Logger;

import io.finsent.ingest.FieldError;
import io.finsent.ingest.ItemValidation;
import io.finsent.schema.RawText;
import io.finsent.schema.SourceKind;
import io.finsent.service.api.ApiError;
import io.finsent.service.api.Utf8Body;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.common.annotation.Blocking;

/**
 * {@code POST /v1/items}: posts and news pushed by API clients, one JSON object or an array of them.
 * All or nothing: a batch with any invalid item is refused (400, errors by item and field, bounded by
 * {@link BatchRefusal}) and nothing of it is published. Accepted items are acknowledged by the broker before
 * the 202. Before any item is validated: the headers (service-support's {@code Utf8Headers}) and bytes
 * ({@link Utf8Body}) must be UTF-8 JSON and the body's shape within the limits ({@link ItemBatchReader}).
 */
@Path("/v1/items")
@Tag(name = "push", description = "Push posts and news items")
public class ItemsResource {

    /** 202: the ids of the items in request order; those published before are counted as duplicates. */
    public record Accepted(List<String> ids, int published, int duplicates) {
    }

    /** 400 for a batch with invalid items: nothing of it was published. */
    public record Refused(String error, List<InvalidItem> items) {
    }

    /** An invalid item of a batch, by its index, with what is wrong with each field. */
    public record InvalidItem(int index, List<FieldError> errors) {
    }

    private static final Logger LOG = Logger.getLogger(ItemsResource.class);

    private final SecurityIdentity identity;
    private final RawTextPublisher publisher;
    private final IngestConfig.Push config;
    private final ItemValidation validation;
    private final ItemBatchReader reader;

    ItemsResource(SecurityIdentity identity, RawTextPublisher publisher, IngestConfig config) {
        this.identity = identity;
        this.publisher = publisher;
        this.config = config.push();
        this.validation = new ItemValidation(config.itemRules(Clock.systemUTC()).withStrictJson());
        this.reader = new ItemBatchReader(this.config.maxBatchItems(), validation.rules().maxTickers());
    }

    @POST
    @Blocking
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Publish one item or a batch",
            description = "Body: UTF-8 JSON, a JSON object or an array of objects with id (optional native id), source,"
                    + " published_at (an ISO-8601 string with zone, at most ingest.max-future-skew ahead), title or headline, body or text,"
                    + " url, tickers (an array of strings), author, language. Authenticate with X-API-Key or Authorization: Bearer.")
    @RequestBody(description = "one item or an array of items")
    @APIResponse(responseCode = "202", description = "published (or already published): the item ids, in request order",
            content = @Content(schema = @Schema(implementation = Accepted.class)))
    @APIResponse(responseCode = "400", description = "not JSON, or invalid items: errors by item index and field; nothing published",
            content = @Content(schema = @Schema(implementation = Refused.class)))
    @APIResponse(responseCode = "401", description = "no API key or an unknown one")
    @APIResponse(responseCode = "403", description = "the key may not push")
    @APIResponse(responseCode = "413", description = "body or batch larger than the limits")
    @APIResponse(responseCode = "415", description = "a Content-Encoding other than identity, a charset other than UTF-8, or a UTF-16/UTF-32 body")
    @APIResponse(responseCode = "429", description = "too many items in flight to Kafka; retry after Retry-After seconds")
    @APIResponse(responseCode = "503", description = "Kafka did not acknowledge in time; retry (nothing is published twice)")
    @RolesAllowed(IngestKeys.PUSH)
    public Response push(byte[] body) {
        String client = identity.getPrincipal().getName();
        byte[] bytes = body == null ? new byte[0] : body;
        if (bytes.length > config.maxBodyBytes()) {
            return tooLarge(bytes.length);
        }
        ItemBatchReader.Batch batch = reader.read(Utf8Body.decode(bytes));
        BatchRefusal refusal = new BatchRefusal();
        refusal.addAll(batch.misshapen());
        List<RawText> items = new ArrayList<>();
        for (int i = 0; i < batch.items().size(); i++) {
            ItemValidation.Result result = validation.fromJson(batch.items().get(i), SourceKind.PUSH, client);
            if (result instanceof ItemValidation.Valid valid) {
                items.add(valid.item());
            } else {
                refusal.add(i, ((ItemValidation.Invalid) result).errors());
            }
        }
        if (!refusal.isEmpty()) {
            return Response.status(Response.Status.BAD_REQUEST).type(MediaType.APPLICATION_JSON).entity(refusal.answer(batch.size())).build();
        }
        if (items.size() > config.maxInFlight()) {
            return error(Response.Status.REQUEST_ENTITY_TOO_LARGE, "a batch of " + items.size() + " items, more than the in-flight limit of "
                    + config.maxInFlight() + "; split it").build();
        }
        if (!publisher.tryReserve(items.size(), config.maxInFlight())) {
            return error(Response.Status.TOO_MANY_REQUESTS, publisher.inFlight() + " items are waiting for Kafka (limit " + config.maxInFlight()
                    + "); retry later").header("Retry-After", "1").build();
        }
        List<CompletableFuture<RawTextPublisher.Outcome>> sent = items.stream().map(publisher::publishReserved).toList();
        int duplicates = 0;
        try {
            CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(config.ackTimeout().toMillis(), TimeUnit.MILLISECONDS);
            for (CompletableFuture<RawTextPublisher.Outcome> f : sent) {
                if (f.join() == RawTextPublisher.Outcome.DUPLICATE) {
                    duplicates++;
                }
            }
        } catch (TimeoutException | ExecutionException e) {
            LOG.warnf("push from %s: Kafka did not acknowledge %d items: %s", client, items.size(), e.getMessage());
            return error(Response.Status.SERVICE_UNAVAILABLE, "Kafka did not acknowledge the items in time; send the same batch again"
                    + " (items already published are not published twice)").header("Retry-After", "5").build();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return error(Response.Status.SERVICE_UNAVAILABLE, "interrupted; send the same batch again").build();
        }
        return Response.accepted(new Accepted(items.stream().map(RawText::getId).toList(), items.size() - duplicates, duplicates)).build();
    }

    private Response tooLarge(long bytes) {
        return error(Response.Status.REQUEST_ENTITY_TOO_LARGE, tooLargeMessage(bytes, config.maxBodyBytes())).build();
    }

    static String tooLargeMessage(long bytes, int limit) {
        return "a body of " + bytes + " bytes, more than the limit of " + limit + " (ingest.push.max-body-bytes); send smaller batches";
    }

    static Response.ResponseBuilder error(Response.Status status, String message) {
        return ApiError.response(status, message);
    }
}
