package io.finsent.alerting.service.api;

import java.time.Duration;
import java.util.List;

import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jdbi.v3.core.Jdbi;

import io.finsent.alerting.store.TrendWindowTable;
import io.finsent.service.api.ApiProblem;
import io.quarkus.security.Authenticated;
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
@Authenticated
public class TrendsResource {

    static final int MAX_ROWS = 10_000;

    private final TrendWindowTable trends;

    TrendsResource(Jdbi jdbi) {
        this.trends = jdbi.onDemand(TrendWindowTable.class);
    }

    @GET
    @Path("/trends")
    @Operation(summary = "Trend rows of a topic", description = "topic (required); from, to: ISO-8601 (default the last 24 hours);"
            + " run (default live); resolution: minute (stored windows), hour or day (rollups, with the windows rolled up in each).")
    public List<TrendWindowTable.Trend> trends(@QueryParam("topic") String topic, @QueryParam("from") String from,
            @QueryParam("to") String to, @QueryParam("run") @DefaultValue("live") String run,
            @QueryParam("resolution") @DefaultValue("minute") String resolution) {
        if (topic == null || topic.isBlank()) {
            throw ApiProblem.badRequest("query parameter 'topic' is required");
        }
        Times.Range range = Times.range(from, to);
        List<TrendWindowTable.Trend> rows = switch (resolution) {
            case "minute" -> trends.trends(run, topic, range.from(), range.to(), MAX_ROWS + 1);
            case "hour" -> trends.rollup("hour", Duration.ofHours(1).toMillis(), run, topic, range.from(), range.to(), MAX_ROWS + 1);
            case "day" -> trends.rollup("day", Duration.ofDays(1).toMillis(), run, topic, range.from(), range.to(), MAX_ROWS + 1);
            default -> throw ApiProblem.badRequest("resolution must be minute, hour or day, not '" + resolution + "'");
        };
        if (rows.size() > MAX_ROWS) {
            throw ApiProblem.badRequest("more than " + MAX_ROWS + " rows: narrow from/to or use a coarser resolution");
        }
        return rows;
    }

    @GET
    @Path("/runs")
    @Operation(summary = "Runs (live and replays) with their trend rows and alerts")
    public List<TrendWindowTable.RunSummary> runs() {
        return trends.runs();
    }
}
