package io.finsent.alerting.service.api;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
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
import org.jboss.logging.Logger;
import org.jdbi.v3.core.Jdbi;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import io.finsent.alerting.service.AlertingConfig;
import io.finsent.alerting.service.AlertingProducer;
import io.finsent.alerting.store.TopicDefinitionTable;
import io.finsent.alerting.store.TrendWindowTable;
import io.finsent.common.Topics;
import io.finsent.schema.TopicDefinition;
import io.finsent.service.api.ApiProblem;
import io.quarkus.security.Authenticated;
import io.smallrye.common.annotation.Blocking;

/**
 * Topics analysts follow. The compacted topic.config topic is the source of truth (the scorer reads it); a
 * change is written to PostgreSQL (for listing), published there and acknowledged, then committed, so a change the
 * database refuses is never published. Changes are admin only.
 */
@Path("/v1/topics")
@Tag(name = "topics", description = "Topic definitions and per-topic summaries")
@Blocking
@Produces(MediaType.APPLICATION_JSON)
public class TopicsResource {

    private static final Logger LOG = Logger.getLogger(TopicsResource.class);
    private static final Set<String> RESERVED = Set.of("summary");

    /** The body of {@code PUT /v1/topics/{id}}: lists default to empty, {@code enabled} to true. */
    public record TopicRequest(@NotNull(message = "is required") @NotBlank(message = "must not be empty") String name, String description,
                               List<@NotBlank(message = "must hold non-empty strings only") String> tickers,
                               List<@NotBlank(message = "must hold non-empty strings only") String> keywords,
                               List<@NotBlank(message = "must hold non-empty strings only") String> aliases,
                               Double similarityThreshold, Boolean enabled) {

        TopicDefinition toDefinition(String id, Instant updatedAt) {
            if (similarityThreshold != null && (similarityThreshold < 0 || similarityThreshold > 1)) {
                throw ApiProblem.badRequest("field 'similarity_threshold' must be between 0 and 1, not " + similarityThreshold);
            }
            return TopicDefinition.newBuilder()
                    .setId(id)
                    .setName(name.strip())
                    .setDescription(description == null || description.isBlank() ? null : description.strip())
                    .setTickers(stripped(tickers).stream().map(t -> t.toUpperCase(Locale.ROOT)).toList())
                    .setKeywords(stripped(keywords))
                    .setAliases(stripped(aliases))
                    .setSimilarityThreshold(similarityThreshold)
                    .setEnabled(enabled == null || enabled)
                    .setUpdatedAt(updatedAt)
                    .build();
        }

        private static List<String> stripped(List<String> values) {
            return values == null ? List.of() : values.stream().map(String::strip).toList();
        }
    }

    /** A topic definition as the API shows it, and as topic_definition keeps it for listing. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record TopicView(String id, String name, String description, List<String> tickers, List<String> keywords, List<String> aliases,
                            Double similarityThreshold, boolean enabled, Instant updatedAt) {

        static TopicView of(TopicDefinition d) {
            return new TopicView(d.getId(), d.getName(), d.getDescription(), d.getTickers(), d.getKeywords(), d.getAliases(),
                    d.getSimilarityThreshold(), d.getEnabled(), d.getUpdatedAt());
        }
    }

    /** A topic over a range: texts, negative texts, the mean score and negative share (null without texts), an hourly series. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record TopicSummary(String topic, long count, long negative, Double meanScore, Double negativeShare, List<SummaryPoint> series) {
    }

    /** One hour of a {@link TopicSummary}: its start ({@code t}), texts and mean score (null without texts). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record SummaryPoint(Instant t, long count, Double meanScore) {
    }

    private final Jdbi jdbi;
    private final TopicDefinitionTable definitions;
    private final TrendWindowTable trends;
    private final AlertingProducer producer;
    private final RequestBodies bodies;
    private final ObjectMapper mapper;
    private final long publishTimeoutMs;

    TopicsResource(Jdbi jdbi, AlertingProducer producer, RequestBodies bodies, ObjectMapper mapper, AlertingConfig config) {
        this.jdbi = jdbi;
        this.definitions = jdbi.onDemand(TopicDefinitionTable.class);
        this.trends = jdbi.onDemand(TrendWindowTable.class);
        this.producer = producer;
        this.bodies = bodies;
        this.mapper = mapper;
        this.publishTimeoutMs = config.api().publishTimeout().toMillis();
    }

    @GET
    @Authenticated
    @Operation(summary = "All topic definitions")
    public List<TopicView> list() {
        List<TopicView> views = new ArrayList<>();
        for (String definition : definitions.definitions()) {
            try {
                views.add(mapper.readValue(definition, TopicView.class));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("stored topic definition is not valid: " + e.getOriginalMessage(), e);
            }
        }
        return views;
    }

    @PUT
    @Path("/{id}")
    @Consumes(MediaType.WILDCARD)
    @RolesAllowed(AlertingKeys.ADMIN)
    @Operation(summary = "Create or replace a topic (admin)", description = "Body: name (required), description, tickers, keywords, aliases,"
            + " similarity_threshold (0..1 or null), enabled (default true). Published to topic.config; the scorer picks it up without a restart.")
    @RequestBody(content = @Content(schema = @Schema(implementation = TopicRequest.class)))
    @APIResponse(responseCode = "200", description = "published and stored",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = TopicView.class)))
    @APIResponse(responseCode = "403", description = "not an admin key")
    @APIResponse(responseCode = "503", description = "the broker did not acknowledge in time; send it again")
    public TopicView put(@PathParam("id") String id, byte[] body) throws JsonProcessingException {
        validId(id);
        TopicDefinition definition = bodies.read(body, TopicRequest.class).toDefinition(id, Instant.now().truncatedTo(ChronoUnit.MILLIS));
        TopicView view = TopicView.of(definition);
        String stored = mapper.writeValueAsString(view);
        // One unit: the row is written, then the change published, then the row committed; a row PostgreSQL refuses
        // publishes nothing, and a publish the broker does not acknowledge rolls the row back.
        jdbi.useTransaction(handle -> {
            handle.attach(TopicDefinitionTable.class).upsert(id, definition.getName(), stored, definition.getEnabled(), definition.getUpdatedAt());
            publish(id, definition);
        });
        return view;
    }

    @DELETE
    @Path("/{id}")
    @RolesAllowed(AlertingKeys.ADMIN)
    @Operation(summary = "Delete a topic (admin): a tombstone on topic.config")
    @APIResponse(responseCode = "204", description = "deleted")
    @APIResponse(responseCode = "403", description = "not an admin key")
    @APIResponse(responseCode = "404", description = "no such topic")
    public Response delete(@PathParam("id") String id) {
        validId(id);
        if (!definitions.exists(id)) {
            throw ApiProblem.notFound("no topic " + id);
        }
        publish(id, null);
        definitions.delete(id);
        return Response.noContent().build();
    }

    @GET
    @Path("/summary")
    @Authenticated
    @Operation(summary = "Per topic: counts and mean score over a time range, with an hourly series for sparklines",
            description = "from, to: ISO-8601 (default the last 24 hours); run (default live).")
    public List<TopicSummary> summary(@QueryParam("from") String from, @QueryParam("to") String to, @QueryParam("run") String run) {
        Times.Range range = Times.range(from, to);
        String runId = run == null || run.isBlank() ? "live" : run;
        Map<String, List<TrendWindowTable.HourBucket>> byTopic = new LinkedHashMap<>();
        for (TrendWindowTable.HourBucket b : trends.hourBuckets(runId, range.from(), range.to())) {
            byTopic.computeIfAbsent(b.topic(), t -> new ArrayList<>()).add(b);
        }
        List<TopicSummary> summaries = new ArrayList<>();
        byTopic.forEach((topic, buckets) -> {
            long count = 0;
            long negative = 0;
            double scoreSum = 0;
            List<SummaryPoint> series = new ArrayList<>();
            for (TrendWindowTable.HourBucket b : buckets) {
                count += b.count();
                negative += b.negative();
                scoreSum += (b.meanScore() == null ? 0 : b.meanScore()) * b.count();
                series.add(new SummaryPoint(b.bucket(), b.count(), b.meanScore()));
            }
            summaries.add(new TopicSummary(topic, count, negative, count == 0 ? null : scoreSum / count,
                    count == 0 ? null : (double) negative / count, series));
        });
        return summaries;
    }

    private void publish(String id, TopicDefinition definition) {
        try {
            producer.sendAndWait(Topics.TOPIC_CONFIG, id, definition, publishTimeoutMs);
        } catch (ExecutionException | TimeoutException e) {
            LOG.warnf("topic %s not published to topic.config: %s", id, e.getMessage());
            throw new ApiProblem(Response.Status.SERVICE_UNAVAILABLE, "the broker did not acknowledge the change in time; send it again");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiProblem(Response.Status.SERVICE_UNAVAILABLE, "interrupted; send it again");
        }
    }

    private static void validId(String id) {
        if (!SubscriptionsResource.TOPIC_ID.matcher(id).matches() || RESERVED.contains(id)) {
            throw ApiProblem.badRequest("'" + id + "' is not a valid topic id: lower-case letters, digits, '.', '_', '-', at most 100,"
                    + " and not " + RESERVED);
        }
    }
}
