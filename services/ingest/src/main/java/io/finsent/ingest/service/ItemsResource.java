package io.finsent.ingest.service;

import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import io.finsent.ingest.FieldError;
import io.finsent.ingest.ItemValidation;
import io.finsent.schema.RawText;
import io.finsent.schema.SourceKind;
import io.smallrye.common.annotation.Blocking;

/**
 * {@code POST /v1/items}: posts and news pushed by API clients, one JSON object or an array of them.
 * All or nothing: a batch with any invalid item is refused (400, errors by item and field) and nothing of
 * it is published. Accepted items are acknowledged by the broker before the 202.
 */
@Path("/v1/items")
@Tag(name = "push", description = "Push posts and news items")
public class ItemsResource {

    private static final Logger LOG = Logger.getLogger(ItemsResource.class);
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final ApiKeys apiKeys;
    private final RawTextPublisher publisher;
    private final IngestConfig.Push config;
    private final ItemValidation validation = new ItemValidation(ItemValidation.Rules.defaults(Clock.systemUTC()));

    ItemsResource(ApiKeys apiKeys, RawTextPublisher publisher, IngestConfig config) {
        this.apiKeys = apiKeys;
        this.publisher = publisher;
        this.config = config.push();
    }

    @POST
    @Blocking
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Publish one item or a batch",
            description = "Body: a JSON object or an array of objects with id (optional native id), source, published_at"
                    + " (ISO-8601 with zone), title or headline, body or text, url, tickers, author, language."
                    + " Authenticate with X-API-Key or Authorization: Bearer.")
    @RequestBody(description = "one item or an array of items")
    @APIResponse(responseCode = "202", description = "published (or already published): the item ids, in request order")
    @APIResponse(responseCode = "400", description = "not JSON, or invalid items: errors by item index and field; nothing published")
    @APIResponse(responseCode = "401", description = "no API key or an unknown one")
    @APIResponse(responseCode = "403", description = "the key may not push")
    @APIResponse(responseCode = "413", description = "body or batch larger than the limits")
    @APIResponse(responseCode = "429", description = "too many items in flight to Kafka; retry after Retry-After seconds")
    @APIResponse(responseCode = "503", description = "Kafka did not acknowledge in time; retry (nothing is published twice)")
    public Response push(@HeaderParam("X-API-Key") String apiKey, @HeaderParam("Authorization") String authorization,
            @HeaderParam("Content-Length") Long contentLength, InputStream body) {
        ApiKeys.Outcome auth = apiKeys.check(apiKey, authorization, ApiKeys.Role.PUSH);
        if (auth instanceof ApiKeys.Unauthenticated u) {
            return error(Response.Status.UNAUTHORIZED, u.reason()).header("WWW-Authenticate", "Bearer").build();
        }
        if (auth instanceof ApiKeys.Forbidden f) {
            return error(Response.Status.FORBIDDEN, "client " + f.client() + " may not push items (it lacks the push role)").build();
        }
        String client = ((ApiKeys.Allowed) auth).client();
        if (contentLength != null && contentLength > config.maxBodyBytes()) {
            return tooLarge(contentLength);
        }
        byte[] bytes;
        try {
            bytes = body == null ? new byte[0] : body.readNBytes(config.maxBodyBytes() + 1);
        } catch (IOException e) {
            return error(Response.Status.BAD_REQUEST, "could not read the request body: " + e.getMessage()).build();
        }
        if (bytes.length > config.maxBodyBytes()) {
            return tooLarge(bytes.length);
        }
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (JacksonException e) {
            return error(Response.Status.BAD_REQUEST, "the body is not valid JSON (UTF-8): " + e.getOriginalMessage()).build();
        } catch (IOException e) {
            return error(Response.Status.BAD_REQUEST, "could not read the request body: " + e.getMessage()).build();
        }
        if (root == null || root.isMissingNode()) {
            return error(Response.Status.BAD_REQUEST, "empty body: send a JSON object or an array of objects").build();
        }
        List<JsonNode> nodes = new ArrayList<>();
        if (root.isArray()) {
            root.forEach(nodes::add);
        } else {
            nodes.add(root);
        }
        if (nodes.isEmpty()) {
            return error(Response.Status.BAD_REQUEST, "empty batch: send at least one item").build();
        }
        if (nodes.size() > config.maxBatchItems()) {
            return error(Response.Status.REQUEST_ENTITY_TOO_LARGE, "a batch of " + nodes.size() + " items, more than the limit of "
                    + config.maxBatchItems() + "; split it").build();
        }
        List<RawText> items = new ArrayList<>();
        List<Map<String, Object>> invalid = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            ItemValidation.Result result = validation.fromJson(nodes.get(i), SourceKind.PUSH, client);
            if (result instanceof ItemValidation.Valid valid) {
                items.add(valid.item());
            } else {
                List<FieldError> errors = ((ItemValidation.Invalid) result).errors();
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("index", i);
                entry.put("errors", errors.stream().map(e -> Map.of("field", e.field(), "message", e.message())).toList());
                invalid.add(entry);
            }
        }
        if (!invalid.isEmpty()) {
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("error", invalid.size() + " of " + nodes.size() + " items are invalid; nothing was published");
            answer.put("items", invalid);
            return Response.status(Response.Status.BAD_REQUEST).entity(answer).build();
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
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("ids", items.stream().map(RawText::getId).toList());
        answer.put("published", items.size() - duplicates);
        answer.put("duplicates", duplicates);
        return Response.accepted(answer).build();
    }

    private Response tooLarge(long bytes) {
        return error(Response.Status.REQUEST_ENTITY_TOO_LARGE, "a body of " + bytes + (bytes > config.maxBodyBytes() ? "" : "+")
                + " bytes, more than the limit of " + config.maxBodyBytes() + "; send smaller batches").build();
    }

    static Response.ResponseBuilder error(Response.Status status, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(Map.of("error", message));
    }
}
