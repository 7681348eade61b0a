package io.finsent.alerting.service.api;

import java.util.List;
import java.util.concurrent.Semaphore;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Request;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.Variant;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jdbi.v3.core.Jdbi;

import io.finsent.alerting.backtest.Backtest;
import io.finsent.alerting.backtest.BacktestReport;
import io.finsent.alerting.backtest.BacktestReportWriter;
import io.finsent.alerting.rules.RuleParams;
import io.finsent.alerting.service.AlertingConfig;
import io.finsent.alerting.store.TrendWindowTable;
import io.finsent.alerting.trends.TrendPoint;
import io.finsent.service.api.ApiProblem;
import io.quarkus.security.Authenticated;
import io.smallrye.common.annotation.Blocking;

/**
 * Backtests over the API: what rule parameter sets would have fired over a run's stored trend windows, side by side,
 * with the same evaluator as live alerting and the same report as {@code ./monitor backtest --json} (or {@code --csv}).
 * Any key may run one: it only reads trend rows and writes nothing. The work is capped (trend windows times rule sets, rule
 * sets per request, backtests at once), since one backtest takes a core while the trend sink shares the machine.
 */
@Path("/v1/backtests")
@Tag(name = "backtests", description = "What rule parameter sets would have fired over a run")
@Blocking
@Authenticated
public class BacktestsResource {

    static final String TEXT_CSV = "text/csv";
    private static final List<Variant> ANSWERS = Variant.mediaTypes(MediaType.APPLICATION_JSON_TYPE, MediaType.valueOf(TEXT_CSV)).build();

    private final TrendWindowTable windows;
    private final RequestBodies bodies;
    private final int maxEvaluations;
    private final int maxRuleSets;
    private final Semaphore running;

    BacktestsResource(Jdbi jdbi, RequestBodies bodies, AlertingConfig config) {
        this.windows = jdbi.onDemand(TrendWindowTable.class);
        this.bodies = bodies;
        this.maxEvaluations = config.api().backtestMaxEvaluations();
        this.maxRuleSets = config.api().backtestMaxRuleSets();
        this.running = new Semaphore(config.api().backtestConcurrency());
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    @Produces({MediaType.APPLICATION_JSON, TEXT_CSV})
    @Operation(summary = "Backtest rule parameter sets over a run's trend windows", description = "Body: run (required; GET /v1/runs"
            + " lists them), from and to (ISO-8601: window starts in [from, to), default the whole run), rule_sets (rule parameter"
            + " objects by name, e.g. {\"strict\": {\"negativeShareSigmas\": 6}}; the defaults are always included as \"default\")."
            + " Answer: the report of ./monitor backtest --json, or with Accept: text/csv the rows of its --csv.")
    @RequestBody(content = @Content(schema = @Schema(implementation = BacktestRequest.class)))
    @APIResponse(responseCode = "200", description = "the report (as ./monitor backtest --json), or its CSV rows")
    @APIResponse(responseCode = "400", description = "invalid body, a range without windows or with too many, the reason given")
    @APIResponse(responseCode = "404", description = "no trend windows for that run")
    @APIResponse(responseCode = "413", description = "body too large")
    @APIResponse(responseCode = "429", description = "too many backtests running; retry")
    public Response backtest(@Context Request request, byte[] body) {
        BacktestRequest.Backtest backtest = bodies.read(body, BacktestRequest.class).checked(maxRuleSets);
        Variant answer = request.selectVariant(ANSWERS);
        if (!running.tryAcquire()) {
            throw new ApiProblem(Response.Status.TOO_MANY_REQUESTS, "other backtests are running; retry in a few seconds");
        }
        try {
            BacktestReport report = Backtest.run(backtest.run(), windowsOf(backtest), backtest.ruleSets().byName());
            boolean csv = answer != null && answer.getMediaType().isCompatible(MediaType.valueOf(TEXT_CSV));
            return csv ? Response.ok(BacktestReportWriter.csv(report), TEXT_CSV + ";charset=UTF-8").build()
                    : Response.ok(BacktestReportWriter.json(report), MediaType.APPLICATION_JSON_TYPE).build();
        } catch (IllegalArgumentException e) {
            // Backtest.run refuses a topic whose stored windows differ in size or alignment: a run the evaluator cannot read.
            throw ApiProblem.badRequest("run '" + backtest.run() + "' cannot be backtested: " + e.getMessage());
        } finally {
            running.release();
        }
    }

    @GET
    @Path("/defaults")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "The default rule parameters", description = "Every parameter of the \"default\" rule set, the one each"
            + " backtest includes: a starting point for rule_sets.")
    public Response defaults() {
        return Response.ok(RuleParams.defaults().toJson(), MediaType.APPLICATION_JSON_TYPE).build();
    }

    /**
     * The windows to replay through the rules: refuses an unknown run (404), an empty range, and a range with more windows
     * than the cap on evaluations allows for this many rule sets (400).
     */
    private List<TrendPoint> windowsOf(BacktestRequest.Backtest backtest) {
        int sets = backtest.ruleSets().byName().size();
        int maxWindows = maxEvaluations / sets;
        List<TrendPoint> found = windows.points(backtest.run(), backtest.from() == null ? TrendWindowTable.NO_START : backtest.from(),
                backtest.to() == null ? TrendWindowTable.NO_END : backtest.to(), maxWindows + 1);
        if (found.size() > maxWindows) {
            throw ApiProblem.badRequest("more than " + maxWindows + " trend windows in this range of run '" + backtest.run() + "': with "
                    + sets + " rule sets that is more than the limit of " + maxEvaluations + " window evaluations; narrow from/to or"
                    + " compare fewer rule sets");
        }
        if (found.isEmpty()) {
            TrendWindowTable.Span span = windows.span(backtest.run());
            if (span.first() == null) {
                throw ApiProblem.notFound("no run '" + backtest.run() + "' with trend windows; GET /v1/runs lists the runs");
            }
            throw ApiProblem.badRequest("run '" + backtest.run() + "' has no trend windows starting between "
                    + (backtest.from() == null ? "its start" : backtest.from()) + " and " + (backtest.to() == null ? "its end" : backtest.to())
                    + "; its windows start from " + span.first() + " to " + span.last());
        }
        return found;
    }
}
