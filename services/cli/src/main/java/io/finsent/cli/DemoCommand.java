package io.finsent.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import org.jdbi.v3.core.JdbiException;

import io.finsent.alerting.store.AlertingStore;
import io.finsent.replay.Replay;
import io.finsent.replay.ReplayException;
import io.finsent.replay.ReplayOptions;
import io.finsent.replay.RunComparison;
import io.finsent.local.LocalStack;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./monitor demo}: the whole pipeline on the embedded stack, fed by the demo stream with its
 * scripted negative surge on one ticker. {@code --check} runs it headless and exits 0 only if the surge
 * fired an alert and the calm topics fired none.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Runs the whole pipeline on the synthetic demo stream, and checks its alerts with --check.",
                "The pipeline: embedded broker and PostgreSQL, scorer, alerting, ingest. The stream: --minutes of synthetic headlines and posts for 20 tickers, published at once from the past (event time),",
                "with a negative surge on one ticker in the middle. Without --check it stays up until Ctrl-C (dashboard on",
                "the alerting port); with --check it waits for the windows to close, checks the alerts and exits (--json: the summary as one JSON object)."})
final class DemoCommand implements Callable<Integer> {

    /** The run id of the demo's replay. */
    static final String REPLAY_RUN = "demo-replay";

    /** The alerting service's grace for late texts in the demo. */
    static final Duration GRACE = Duration.ofMinutes(1);

    @Spec
    CommandSpec spec;

    @Option(names = "--check", description = "Headless: exit 0 only if the surge fired an alert and no calm topic fired one.")
    boolean check;

    @Mixin
    JsonOption output;

    @Option(names = "--minutes", defaultValue = "30", description = "Event-time minutes of demo stream published at start (default: ${DEFAULT-VALUE}).")
    int minutes;

    @Option(names = "--rate", defaultValue = "150", description = "Calm items a minute over all tickers (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the demo stream (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--surge-ticker", defaultValue = "BA", description = "The ticker that turns negative (default: ${DEFAULT-VALUE}).")
    String surgeTicker;

    @Option(names = "--data-dir", description = "Data directory (default: a new temporary one, deleted afterwards with --check).")
    Path dataDir;

    @Option(names = "--keep", description = "With --check: keep the data directory afterwards.")
    boolean keep;

    @Option(names = "--alerting-port", defaultValue = "0", description = "HTTP port of the alerting service and dashboard (default: any free port).")
    int alertingPort;

    @Option(names = "--timeout", defaultValue = "PT15M", description = "With --check: give up after this long (ISO-8601, default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Mixin
    ModelOption model;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        // With --json, stdout holds the one JSON object; progress goes to stderr.
        PrintWriter progress = output.json ? err : out;
        if (minutes < 10) {
            err.println("monitor demo: --minutes must be at least 10 (the rules need a baseline before the surge)");
            return 2;
        }
        if (rate <= 0) {
            err.println("monitor demo: --rate must be positive");
            return 2;
        }
        long started = System.nanoTime();
        boolean temporary = dataDir == null;
        Path dir = temporary ? Files.createTempDirectory("finsent-demo-") : dataDir;
        // The stream is published at once from the past; a tail of stream after the checked minutes moves every
        // partition's event time past the last checked window's end plus the grace, so that it closes.
        Duration tail = GRACE.plusMinutes(2);
        Instant start = Instant.now().minus(Duration.ofMinutes(minutes)).minus(tail).truncatedTo(ChronoUnit.MINUTES);
        DemoScript script = new DemoScript(start, Duration.ofMinutes(minutes), Duration.ofMinutes(minutes / 2), Duration.ofMinutes(3), surgeTicker);
        Map<String, String> demo = new LinkedHashMap<>();
        demo.put("seed", Long.toString(seed));
        demo.put("start", start.toString());
        demo.put("items-per-minute", Double.toString(rate));
        demo.put("surge-ticker", surgeTicker);
        demo.put("cycle", script.length().plus(tail).toMinutes() + "m");
        demo.put("surge-start", script.surgeStart().toMinutes() + "m");
        demo.put("surge-length", script.surgeLength().toMinutes() + "m");
        EmbeddedPipeline pipeline;
        try {
            pipeline = EmbeddedPipeline.start(new EmbeddedPipeline.Options(dir, 0, 0, 0, 0, alertingPort, model.dir(), demo,
                    Map.of("grace", GRACE.toMinutes() + "m"), Map.of()), progress);
        } catch (IOException | IllegalStateException e) {
            err.println("monitor demo: " + e.getMessage());
            return 1;
        }
        try {
            progress.printf("Demo stream from %s: %d minutes, %.0f items a minute, a negative surge on %s from minute %d to %d.%n", start, minutes,
                    rate, surgeTicker, script.surgeStart().toMinutes(), script.surgeStart().plus(script.surgeLength()).toMinutes());
            progress.printf("Dashboard: %s/ (admin API key: %s)%n", pipeline.service("alerting").url(), pipeline.adminKey());
            progress.flush();
            if (!check) {
                out.printf("%nPress Ctrl-C to stop everything.%n");
                out.flush();
                new CountDownLatch(1).await();
                return 0;
            }
            DemoCheck.Result result = DemoCheck.run(pipeline.stack(), script, DemoTopics.definitions().size(), timeout, progress);
            progress.printf("Replaying the checked range under run %s (same topology code, 3 stream threads, batches of 64) ...%n", REPLAY_RUN);
            progress.flush();
            RunComparison.Comparison replay = replay(pipeline, script, dir);
            progress.printf("replay identical: %s%n", replay.identical());
            EvidenceCheck.Result evidence = EvidenceCheck.run(AlertingStore.jdbi(pipeline.stack().jdbcUrl(), pipeline.stack().jdbcUser()),
                    pipeline.service("alerting").url(), pipeline.adminKey(), script.surgeTicker().toLowerCase(Locale.ROOT), REPLAY_RUN,
                    Duration.ofMinutes(2), progress);
            progress.printf("evidence: %d texts of the surge's windows, replay identical: %s, explained: %s%n", evidence.surgeTexts(),
                    evidence.identical(), evidence.explained());
            progress.flush();
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            boolean passed = result.passed() && replay.identical() && evidence.passed();
            print(result, replay, evidence, passed, took, out);
            return passed ? 0 : 1;
        } catch (JdbiException e) {
            err.println("monitor demo: cannot read the results from PostgreSQL: " + AlertingStore.reason(e));
            return 1;
        } catch (ReplayException e) {
            err.println("monitor demo: the replay failed: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println("monitor demo: cannot read the alerts' evidence from the alerting API: " + e.getMessage());
            return 1;
        } finally {
            pipeline.close();
            if (temporary && !keep) {
                LocalStack.deleteData(dir);
            } else if (check) {
                progress.printf("Data kept in %s%n", dir);
            }
        }
    }

    /**
     * Replays the checked range through the same topologies under another run id, with other batch sizes and
     * thread counts, and compares its scored texts, trend rows and alerts with live's.
     */
    private RunComparison.Comparison replay(EmbeddedPipeline pipeline, DemoScript script, Path dir) throws InterruptedException {
        LocalStack stack = pipeline.stack();
        ReplayOptions options = ReplayOptions.of(REPLAY_RUN, script.start(), script.end(), stack.bootstrapServers(),
                        model.dir(), dir.resolve("replay-state"))
                .withDatabase(stack.jdbcUrl(), stack.jdbcUser(), Duration.ofMinutes(3)).withThreads(3).withMaxBatch(64);
        Replay.run(options);
        return RunComparison.compare(stack.jdbcUrl(), stack.jdbcUser(), stack.bootstrapServers(), "live", REPLAY_RUN, script.start(),
                script.end());
    }

    private void print(DemoCheck.Result result, RunComparison.Comparison replay, EvidenceCheck.Result evidence, boolean passed, Duration took,
            PrintWriter out) throws IOException {
        if (output.json) {
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("passed", passed);
            summary.put("surge_fired", result.surgeFired());
            summary.put("calm_topics_fired", result.calmFired());
            summary.put("alerts", result.alerts().stream().map(a -> {
                Map<String, Object> alert = new LinkedHashMap<>();
                alert.put("topic", a.topic());
                alert.put("rule", a.rule());
                alert.put("severity", a.severity());
                alert.put("window_start", a.windowStart().toString());
                alert.put("observed", a.observed());
                alert.put("baseline", a.baseline());
                alert.put("threshold", a.threshold());
                return alert;
            }).toList());
            summary.put("replay_identical", replay.identical());
            summary.put("replay_differences", replay.differences());
            summary.put("evidence_texts", evidence.surgeTexts());
            summary.put("evidence_identical", evidence.identical());
            summary.put("evidence_explained", evidence.explained());
            summary.put("evidence_differences", evidence.differences());
            summary.put("windows", result.windows());
            summary.put("texts", result.texts());
            summary.put("seconds", took.toMillis() / 1000.0);
            out.println(new ObjectMapper().disable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(summary));
        } else {
            out.printf("%nDemo check %s in %.1f s%n", passed ? "PASSED" : "FAILED", took.toMillis() / 1000.0);
            out.printf("  texts in closed windows  %d%n", result.texts());
            out.printf("  trend windows            %d%n", result.windows());
            out.printf("  surge on %-6s fired    %s%n", result.surgeTicker(), result.surgeFired());
            out.printf("  calm topics that fired   %s%n", result.calmFired().isEmpty() ? "none" : String.join(", ", result.calmFired()));
            out.printf("  replay vs live: scored texts %d/%d, trend rows %d/%d, alert events %d/%d live/replay%n",
                    replay.scoredA(), replay.scoredB(), replay.trendRowsA(), replay.trendRowsB(), replay.alertsA(), replay.alertsB());
            replay.differences().stream().limit(10).forEach(d -> out.printf("    %s%n", d));
            out.printf("  surge evidence: %d texts of its windows (at least %d), replay identical: %s%n", evidence.surgeTexts(),
                    EvidenceCheck.MIN_TEXTS, evidence.identical());
            evidence.differences().stream().limit(5).forEach(d -> out.printf("    %s%n", d));
            out.printf("  alerts (firing):%n");
            if (result.alerts().isEmpty()) {
                out.printf("    none%n");
            }
            for (DemoCheck.Alert alert : result.alerts()) {
                out.printf(Locale.ROOT, "    %-6s %-15s %-9s window %s  observed %.3f, baseline %.3f, threshold %.3f%n", alert.topic(), alert.rule(),
                        alert.severity(), alert.windowStart(), alert.observed(), alert.baseline(), alert.threshold());
            }
        }
        out.flush();
    }

    /** When the demo stream starts, how long it runs, and when its one surge is. */
    record DemoScript(Instant start, Duration length, Duration surgeStart, Duration surgeLength, String surgeTicker) {

        Instant end() {
            return start.plus(length);
        }

        List<Instant> surge() {
            return List.of(start.plus(surgeStart), start.plus(surgeStart).plus(surgeLength));
        }
    }
}
