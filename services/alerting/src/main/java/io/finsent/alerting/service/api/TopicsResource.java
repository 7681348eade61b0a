package io.finsent.alerting.service.api;

import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.logging.Logger;

import io.finsent.alerting.service.AlertingConfig;
import io.finsent.alerting.service.AlertingProducer;
import io.finsent.common.Topics;
import io.finsent.schema.TopicDefinition;
import io.smallrye.common.annotation.Blocking;

/**
 * Topics analysts follow. The compacted topic.config topic is the source of truth (the scorer reads it); a
 * change is published there first, acknowledged, then copied to PostgreSQL for listing. Changes are admin only.
 */
@Path("/v1/topics")
@Tag(name = "topics", description = "Topic definitions and per-topic summaries")
@Blocking
@Produces(MediaType.APPLICATION_JSON)
public class TopicsResource {

    private static final Logger LOG = Logger.getLogger(TopicsResource.class);
    private static final Set<String> FIELDS = Set.of("name", "description", "tickers", "keywords", "aliases", "similarity_threshold", "enabled");
    private static final Set<String> RESERVED = Set.of("summary");
    private static final com.fasterxml.jackson.databind.ObjectMapper MAPPER = new com.fasterxml.jackson.databind.ObjectMapper();

    private final Authenticator auth;
    private final Db db;
    private final AlertingProducer producer;
    private final int maxBody;
    private final long publishTimeoutMs;

    TopicsResource(Authenticator auth, Db db, AlertingProducer producer, AlertingConfig config) {
        this.auth = auth;
        this.db = db;
        this.producer = producer;
        this.maxBody = config.api().maxBodyBytes();
        this.publishTimeoutMs = config.api().publishTimeout().toMillis();
    }

    @GET
    @Operation(summary = "All topic definitions")
    public List<Map<String, Object>> list(@HeaderParam("X-Api-Key") String apiKey) throws SQLException {
        auth.require(apiKey);
        return db.list("SELECT definition::text AS definition FROM topic_definition ORDER BY id").stream()
                .map(row -> asMap(Json.tree((String) row.get("definition")))).toList();
    }

    @PUT
    @Path("/{id}")
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Create or replace a topic (admin)", description = "Body: name (required), description, tickers, keywords, aliases,"
            + " similarity_threshold (0..1 or null), enabled (default true). Published to topic.config; the scorer picks it up without a restart.")
    @APIResponse(responseCode = "200", description = "published and stored")
    @APIResponse(responseCode = "403", description = "not an admin key")
    @APIResponse(responseCode = "503", description = "the broker did not acknowledge in time; send it again")
    public Map<String, Object> put(@HeaderParam("X-Api-Key") String apiKey, @PathParam("id") String id, byte[] body) throws SQLException {
        auth.requireAdmin(apiKey);
        validId(id);
        JsonBody json = JsonBody.parse(body, maxBody, FIELDS);
        Double threshold = json.number("similarity_threshold").orElse(null);
        if (threshold != null && (threshold < 0 || threshold > 1)) {
            throw ApiException.badRequest("field 'similarity_threshold' must be between 0 and 1, not " + threshold);
        }
        TopicDefinition definition = TopicDefinition.newBuilder()
                .setId(id)
                .setName(json.requiredText("name"))
                .setDescription(json.text("description").map(String::strip).filter(d -> !d.isEmpty()).orElse(null))
                .setTickers(json.strings("tickers").stream().map(t -> t.toUpperCase(java.util.Locale.ROOT)).toList())
                .setKeywords(json.strings("keywords"))
                .setAliases(json.strings("aliases"))
                .setSimilarityThreshold(threshold)
                .setEnabled(json.bool("enabled").orElse(true))
                .setUpdatedAt(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS))
                .build();
        publish(id, definition);
        Map<String, Object> view = view(definition);
        db.update("INSERT INTO topic_definition (id, name, definition, enabled, updated_at) VALUES (?, ?, ?::jsonb, ?, ?)"
                + " ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, definition = EXCLUDED.definition, enabled = EXCLUDED.enabled,"
                + " updated_at = EXCLUDED.updated_at",
                id, definition.getName(), Json.text(view), definition.getEnabled(), definition.getUpdatedAt());
        return view;
    }

    @DELETE
    @Path("/{id}")
    @Operation(summary = "Delete a topic (admin): a tombstone on topic.config")
    @APIResponse(responseCode = "204", description = "deleted")
    @APIResponse(responseCode = "403", description = "not an admin key")
    @APIResponse(responseCode = "404", description = "no such topic")
    public Response delete(@HeaderParam("X-Api-Key") String apiKey, @PathParam("id") String id) throws SQLException {
        auth.requireAdmin(apiKey);
        validId(id);
        if (db.one("SELECT id FROM topic_definition WHERE id = ?", id).isEmpty()) {
            throw ApiException.notFound("no topic " + id);
        }
        publish(id, null);
        db.update("DELETE FROM topic_definition WHERE id = ?", id);
        return Response.noContent().build();
    }

    @GET
    @Path("/summary")
    @Operation(summary = "Per topic: counts and mean score over a time range, with an hourly series for sparklines",
            description = "from, to: ISO-8601 (default the last 24 hours); run (default live).")
    public List<Map<String, Object>> summary(@HeaderParam("X-Api-Key") String apiKey, @QueryParam("from") String from,
            @QueryParam("to") String to, @QueryParam("run") String run) throws SQLException {
        auth.require(apiKey);
        Instant end = to == null || to.isBlank() ? Instant.now() : JsonBody.parseInstant("to", to);
        Instant start = from == null || from.isBlank() ? end.minus(Duration.ofHours(24)) : JsonBody.parseInstant("from", from);
        TrendsResource.checkRange(start, end);
        String runId = run == null || run.isBlank() ? "live" : run;
        List<Map<String, Object>> buckets = db.list("""
                SELECT topic, date_trunc('hour', window_start AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS bucket,
                       sum(count) AS count, sum(negative) AS negative,
                       sum(mean_score * count) / NULLIF(sum(count), 0) AS mean_score
                  FROM trend_window WHERE run_id = ? AND window_start >= ? AND window_start < ?
                 GROUP BY topic, bucket ORDER BY topic, bucket
                """, runId, start, end);
        Map<String, Map<String, Object>> topics = new LinkedHashMap<>();
        for (Map<String, Object> b : buckets) {
            Map<String, Object> t = topics.computeIfAbsent((String) b.get("topic"), name -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("topic", name);
                m.put("count", 0L);
                m.put("negative", 0L);
                m.put("score_sum", 0.0);
                m.put("series", new java.util.ArrayList<Map<String, Object>>());
                return m;
            });
            long count = ((Number) b.get("count")).longValue();
            double mean = b.get("mean_score") == null ? 0 : ((Number) b.get("mean_score")).doubleValue();
            t.put("count", (Long) t.get("count") + count);
            t.put("negative", (Long) t.get("negative") + ((Number) b.get("negative")).longValue());
            t.put("score_sum", (Double) t.get("score_sum") + mean * count);
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> series = (List<Map<String, Object>>) t.get("series");
            Map<String, Object> point = new LinkedHashMap<>();
            point.put("t", b.get("bucket"));
            point.put("count", count);
            point.put("mean_score", b.get("mean_score"));
            series.add(point);
        }
        for (Map<String, Object> t : topics.values()) {
            long count = (Long) t.get("count");
            double scoreSum = (Double) t.remove("score_sum");
            t.put("mean_score", count == 0 ? null : scoreSum / count);
            t.put("negative_share", count == 0 ? null : ((Long) t.get("negative")).doubleValue() / count);
            Object series = t.remove("series");
            t.put("series", series);
        }
        return List.copyOf(topics.values());
    }

    private void publish(String id, TopicDefinition definition) {
        try {
            producer.sendAndWait(Topics.TOPIC_CONFIG, id, definition, publishTimeoutMs);
        } catch (ExecutionException | TimeoutException e) {
            LOG.warnf("topic %s not published to topic.config: %s", id, e.getMessage());
            throw new ApiException(Response.Status.SERVICE_UNAVAILABLE, "the broker did not acknowledge the change in time; send it again");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(Response.Status.SERVICE_UNAVAILABLE, "interrupted; send it again");
        }
    }

    private static void validId(String id) {
        if (!SubscriptionsResource.TOPIC_ID.matcher(id).matches() || RESERVED.contains(id)) {
            throw ApiException.badRequest("'" + id + "' is not a valid topic id: lower-case letters, digits, '.', '_', '-', at most 100,"
                    + " and not " + RESERVED);
        }
    }

    private static Map<String, Object> view(TopicDefinition d) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", d.getId());
        v.put("name", d.getName());
        v.put("description", d.getDescription());
        v.put("tickers", d.getTickers());
        v.put("keywords", d.getKeywords());
        v.put("aliases", d.getAliases());
        v.put("similarity_threshold", d.getSimilarityThreshold());
        v.put("enabled", d.getEnabled());
        v.put("updated_at", d.getUpdatedAt().toString());
        return v;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(com.fasterxml.jackson.databind.JsonNode tree) {
        return MAPPER.convertValue(tree, Map.class);
    }
}
