package io.finsent.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.finsent.bench.pipeline.HostileSoak;
import io.finsent.common.ApiKeyHash;
import io.finsent.local.LocalStack;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./monitor bench soak}: the three services on a fresh embedded stack as {@code ./monitor up} starts them (with
 * three more push clients of ingest: the slow attack's, the big-body attack's and the probe's), then {@link HostileSoak}'s
 * slow-client and big-body attacks, then its result.
 */
@Command(name = "soak", mixinStandardHelpOptions = true,
        description = {"Starts the embedded stack and the three services as ./monitor up does, then for --duration attacks them on",
                "loopback: slow clients that send a POST's headers and then a byte every --trickle, and clients that post 1 MB",
                "bodies in a loop. A probe checks every 2 s that each service is ready and that ingest takes a push from",
                "another client. Heap (after a full GC) and threads are measured before and after. Exit 0 when every probe",
                "was answered, every service is ready afterwards, and heap and threads are back to their baseline."})
final class SoakBenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOption model;

    @Option(names = "--duration", defaultValue = "PT2M", description = "How long the attack lasts (ISO-8601, default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--slow-clients", defaultValue = "260", description = "Slow connections, spread over the services (default: ${DEFAULT-VALUE}).")
    int slowClients;

    @Option(names = "--big-clients", defaultValue = "12", description = "Clients posting 1 MB bodies in a loop (default: ${DEFAULT-VALUE}).")
    int bigClients;

    @Option(names = "--trickle", defaultValue = "PT10S", description = "A slow client's pause between bytes (default: ${DEFAULT-VALUE}).")
    Duration trickle;

    @Option(names = "--settle", defaultValue = "PT45S", description = "Quiet time after the attack before measuring, longer than a"
            + " worker thread's keep-alive (30 s) (default: ${DEFAULT-VALUE}).")
    Duration settle;

    @Option(names = "--keep", description = "Keep the temporary stack's directory (logs, data) afterwards.")
    boolean keep;

    @Mixin
    JsonOption output;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (duration.isNegative() || duration.isZero() || slowClients < 0 || bigClients < 0 || trickle.isNegative() || trickle.isZero()) {
            err.println("monitor bench soak: --duration and --trickle must be positive, --slow-clients and --big-clients at least 0");
            return 2;
        }
        String slowKey = EmbeddedPipeline.newKey("fss_");
        String bigKey = EmbeddedPipeline.newKey("fss_");
        String probeKey = EmbeddedPipeline.newKey("fss_");
        Map<String, String> ingest = Map.of("clients.slow.key-sha256", ApiKeyHash.hex(slowKey), "clients.slow.roles", "push",
                "clients.big.key-sha256", ApiKeyHash.hex(bigKey), "clients.big.roles", "push",
                "clients.probe.key-sha256", ApiKeyHash.hex(probeKey), "clients.probe.roles", "push");
        Path dir = Files.createTempDirectory("finsent-soak-");
        HostileSoak.Result r;
        try (EmbeddedPipeline pipeline = EmbeddedPipeline.start(new EmbeddedPipeline.Options(dir, 0, 0, 0, 0, 0, model.dir(), null, Map.of(), ingest), err)) {
            ServiceProcess ingestService = pipeline.service("ingest");
            List<HostileSoak.Target> targets = List.of(
                    new HostileSoak.Target("ingest", ingestService.url(), ingestService.pid(), "/v1/items", slowKey, bigKey),
                    target(pipeline, "alerting", "/v1/analysts"),
                    target(pipeline, "scorer", "/v1/replays"));
            r = new HostileSoak(targets, ingestService.url(), probeKey, new HostileSoak.Settings(duration, slowClients, bigClients, trickle, settle))
                    .run(err);
        } finally {
            if (!keep) {
                LocalStack.deleteData(dir);
            } else {
                err.println("kept " + dir);
            }
        }
        print(r, out);
        return r.passed() ? 0 : 1;
    }

    private static HostileSoak.Target target(EmbeddedPipeline pipeline, String name, String path) {
        ServiceProcess s = pipeline.service(name);
        return new HostileSoak.Target(name, s.url(), s.pid(), path, pipeline.adminKey(), pipeline.adminKey());
    }

    private void print(HostileSoak.Result r, PrintWriter out) throws Exception {
        if (output.json) {
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("passed", r.passed());
            result.put("push_after", r.pushAfter());
            result.put("gc_forced", r.gcForced());
            result.put("slow_connections", r.slowConnections());
            result.put("big_requests", r.bigRequests());
            result.put("seconds", r.seconds());
            result.put("services", r.services());
            out.println(new ObjectMapper().writeValueAsString(result));
        } else {
            out.printf(Locale.ROOT, "soak: %d slow connections, %d big bodies in %.0f s (full GC before each measure: %s)%n", r.slowConnections(),
                    r.bigRequests(), r.seconds(), r.gcForced() ? "yes" : "no");
            out.printf(Locale.ROOT, "%-9s %16s %10s %14s %14s %-28s %s%n", "service", "heap MiB", "peak", "threads", "probes failed",
                    "slow answers", "big answers");
            for (HostileSoak.ServiceResult s : r.services()) {
                out.printf(Locale.ROOT, "%-9s %7.0f -> %-6.0f %10.0f %6d -> %-5d %7d of %-4d %-28s %s%s%n", s.name(), s.heapBeforeMiB(), s.heapAfterMiB(),
                        s.peakHeapMiB(), s.threadsBefore(), s.threadsAfter(), s.probeFailures(), s.probes(), s.slowAnswers(), s.bigAnswers(),
                        s.passed() ? "" : "  FAILED" + (s.readyAfter() ? "" : " (not ready)") + (s.heapBack() ? "" : " (heap)")
                                + (s.threadsBack() ? "" : " (threads)") + (s.probeFailures() == 0 ? "" : " (probes)"));
            }
            for (HostileSoak.ServiceResult s : r.services()) {
                out.printf(Locale.ROOT, "%s: slowest probe %d ms, peak %d threads%s%n", s.name(), s.slowestProbeMs(), s.peakThreads(),
                        s.failedProbes().isEmpty() ? "" : ", failed probes " + s.failedProbes());
            }
            out.println("ingest takes a push afterwards: " + (r.pushAfter() ? "yes" : "NO"));
            out.println(r.passed() ? "PASSED" : "FAILED");
        }
        out.flush();
    }
}
