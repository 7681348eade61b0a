package io.finsent.alerting.service.api;

import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.smallrye.common.annotation.Blocking;

/**
 * Trend rows of one topic. {@code minute} returns the stored windows; {@code hour} and {@code day} are SQL
 * rollups of them (counts summed, means weighted by count, the pooled standard deviation), not other streams.
 * Also {@code GET /v1/runs}: the runs with rows.
 */
@Path("/v1")
@Tag(name = "trends", description = "Sentiment per topic over time")
@Blocking
@Produces(MediaType.APPLICATION_JSON)
public class TrendsResource {

    static final int MAX_ROWS = 10_000;
    private static final Duration MAX_RANGE = Duration.ofDays(366);

    private static final String ROLLUP = """
            SELECT date_trunc('%1$s', window_start AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS window_start,
                   %2$d::bigint AS window_size_ms,
                   sum(count)::bigint AS count, sum(negative)::bigint AS negative, sum(neutral)::bigint AS neutral,
                   sum(positive)::bigint AS positive,
                   COALESCE(sum(mean_score * count) / NULLIF(sum(count), 0), 0) AS mean_score,
                   COALESCE(sqrt(greatest(0, sum(count * (score_stddev * score_stddev + mean_score * mean_score)) / NULLIF(sum(count), 0)
                        - power(sum(mean_score * count) / NULLIF(sum(count), 0), 2))), 0) AS score_stddev,
                   COALESCE(sum(mean_p_negative * count) / NULLIF(sum(count), 0), 0) AS mean_p_negative,
                   count(*) AS windows
              FROM trend_window
             WHERE run_id = ? AND topic = ? AND window_start >= ? AND window_start < ?
             GROUP BY 1 ORDER BY 1 LIMIT ?
            """;

    private final Authenticator auth;
    private final Db db;

    TrendsResource(Authenticator auth, Db db) {
        this.auth = auth;
        this.db = db;
    }

    @GET
    @Path("/trends")
    @Operation(summary = "Trend rows of a topic", description = "topic (required); from, to: ISO-8601 (default the last 24 hours);"
            + " run (default live); resolution: minute (stored windows), hour or day (rollups).")
    public List<Map<String, Object>> trends(@HeaderParam("X-Api-Key") String apiKey, @QueryParam("topic") String topic,
            @QueryParam("from") String from, @QueryParam("to") String to, @QueryParam("run") @DefaultValue("live") String run,
            @QueryParam("resolution") @DefaultValue("minute") String resolution) throws SQLException {
        auth.require(apiKey);
        if (topic == null || topic.isBlank()) {
            throw ApiException.badRequest("query parameter 'topic' is required");
        }
        Instant end = to == null || to.isBlank() ? Instant.now() : JsonBody.parseInstant("to", to);
        Instant start = from == null || from.isBlank() ? end.minus(Duration.ofHours(24)) : JsonBody.parseInstant("from", from);
        checkRange(start, end);
        List<Map<String, Object>> rows = switch (resolution) {
            case "minute" -> db.list("""
                    SELECT window_start, window_size_ms, count, negative, neutral, positive, mean_score, score_stddev, mean_p_negative
                      FROM trend_window WHERE run_id = ? AND topic = ? AND window_start >= ? AND window_start < ?
                     ORDER BY window_start, window_size_ms LIMIT ?
                    """, run, topic, start, end, MAX_ROWS + 1);
            case "hour" -> db.list(ROLLUP.formatted("hour", Duration.ofHours(1).toMillis()), run, topic, start, end, MAX_ROWS + 1);
            case "day" -> db.list(ROLLUP.formatted("day", Duration.ofDays(1).toMillis()), run, topic, start, end, MAX_ROWS + 1);
            default -> throw ApiException.badRequest("resolution must be minute, hour or day, not '" + resolution + "'");
        };
        if (rows.size() > MAX_ROWS) {
            throw ApiException.badRequest("more than " + MAX_ROWS + " rows: narrow from/to or use a coarser resolution");
        }
        return rows;
    }

    @GET
    @Path("/runs")
    @Operation(summary = "Runs (live and replays) with their trend rows and alerts")
    public List<Map<String, Object>> runs(@HeaderParam("X-Api-Key") String apiKey) throws SQLException {
        auth.require(apiKey);
        return db.list("""
                SELECT t.run_id, count(*) AS trend_windows, sum(t.count)::bigint AS texts, count(DISTINCT t.topic) AS topics,
                       min(t.window_start) AS first_window, max(t.window_start) AS last_window,
                       (SELECT count(*) FROM alert a WHERE a.run_id = t.run_id) AS alerts
                  FROM trend_window t GROUP BY t.run_id ORDER BY t.run_id
                """);
    }

    static void checkRange(Instant start, Instant end) {
        if (!end.isAfter(start)) {
            throw ApiException.badRequest("'to' (" + end + ") must be after 'from' (" + start + ")");
        }
        if (Duration.between(start, end).compareTo(MAX_RANGE) > 0) {
            throw ApiException.badRequest("a range of more than " + MAX_RANGE.toDays() + " days; narrow from/to");
        }
    }
}
