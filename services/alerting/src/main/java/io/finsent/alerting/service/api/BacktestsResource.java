package io.finsent.alerting.service.api;

import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.Semaphore;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Request;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.Variant;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.finsent.alerting.backtest.Backtest;
import io.finsent.alerting.backtest.BacktestReport;
import io.finsent.alerting.backtest.BacktestReportWriter;
import io.finsent.alerting.rules.RuleParams;
import io.finsent.alerting.service.AlertingConfig;
import io.finsent.alerting.trends.TrendPoint;
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
public class BacktestsResource {

    static final String TEXT_CSV = "text/csv";
    private static final List<Variant> ANSWERS = Variant.mediaTypes(MediaType.APPLICATION_JSON_TYPE, MediaType.valueOf(TEXT_CSV)).build();

    private final Authenticator auth;
    private final RunTrendWindows windows;
    private final int maxBody;
    private final int maxEvaluations;
    private final int maxRuleSets;
    private final Semaphore running;

    BacktestsResource(Authenticator auth, RunTrendWindows windows, AlertingConfig config) {
        this.auth = auth;
        this.windows = windows;
        this.maxBody = config.api().maxBodyBytes();
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
    @APIResponse(responseCode = "200", description = "the report")
    @APIResponse(responseCode = "400", description = "invalid body, a range without windows or with too many, the reason given")
    @APIResponse(responseCode = "404", description = "no trend windows for that run")
    @APIResponse(responseCode = "413", description = "body too large")
    @APIResponse(responseCode = "429", description = "too many backtests running; retry")
    public Response backtest(@HeaderParam("X-Api-Key") String apiKey, @Context Request request, byte[] body) throws SQLException {
        auth.require(apiKey);
        BacktestRequest backtest = BacktestRequest.parse(JsonBody.parse(body, maxBody, BacktestRequest.FIELDS), maxRuleSets);
        Variant answer = request.selectVariant(ANSWERS);
        if (!running.tryAcquire()) {
            throw new ApiException(Response.Status.TOO_MANY_REQUESTS, "other backtests are running; retry in a few seconds");
        }
        try {
            BacktestReport report = Backtest.run(backtest.run(), windowsOf(backtest), backtest.ruleSets().byName());
            boolean csv = answer != null && answer.getMediaType().isCompatible(MediaType.valueOf(TEXT_CSV));
            return csv ? Response.ok(BacktestReportWriter.csv(report), TEXT_CSV + ";charset=UTF-8").build()
                    : Response.ok(BacktestReportWriter.json(report), MediaType.APPLICATION_JSON_TYPE).build();
        } catch (IllegalArgumentException e) {
            // Backtest.run refuses a topic whose stored windows differ in size or alignment: a run the evaluator cannot read.
            throw ApiException.badRequest("run '" + backtest.run() + "' cannot be backtested: " + e.getMessage());
        } finally {
            running.release();
        }
    }

    @GET
    @Path("/defaults")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "The default rule parameters", description = "Every parameter of the \"default\" rule set, the one each"
            + " backtest includes: a starting point for rule_sets.")
    public Response defaults(@HeaderParam("X-Api-Key") String apiKey) throws SQLException {
        auth.require(apiKey);
        return Response.ok(RuleParams.defaults().toJson(), MediaType.APPLICATION_JSON_TYPE).build();
    }

    /**
     * The windows to replay through the rules: refuses an unknown run (404), an empty range, and a range with more windows
     * than the cap on evaluations allows for this many rule sets (400).
     */
    private List<TrendPoint> windowsOf(BacktestRequest backtest) throws SQLException {
        int sets = backtest.ruleSets().byName().size();
        int maxWindows = maxEvaluations / sets;
        List<TrendPoint> found = windows.read(backtest.run(), backtest.from(), backtest.to(), maxWindows);
        if (found.size() > maxWindows) {
            throw ApiException.badRequest("more than " + maxWindows + " trend windows in this range of run '" + backtest.run() + "': with "
                    + sets + " rule sets that is more than the limit of " + maxEvaluations + " window evaluations; narrow from/to or"
                    + " compare fewer rule sets");
        }
        if (found.isEmpty()) {
            RunTrendWindows.Span span = windows.span(backtest.run()).orElseThrow(() -> ApiException.notFound("no run '" + backtest.run()
                    + "' with trend windows; GET /v1/runs lists the runs"));
            throw ApiException.badRequest("run '" + backtest.run() + "' has no trend windows starting between "
                    + (backtest.from() == null ? "its start" : backtest.from()) + " and " + (backtest.to() == null ? "its end" : backtest.to())
                    + "; its windows start from " + span.first() + " to " + span.last());
        }
        return found;
    }
}
