package io.finsent.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.finsent.bench.alerting.RuleSetsBenchmark;
import io.finsent.local.LocalStack;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ./monitor bench alerting --rule-sets 1,100,1000}: the trend sink's windows per second as a topic's rule sets grow ({@link RuleSetsBenchmark}). */
@Command(name = "alerting", mixinStandardHelpOptions = true,
        description = {"Measures the trend sink's windows per second as a topic's subscriptions grow.",
                "For each count N, a topic with N subscriptions of distinct rule parameters, then its trend windows",
                "published to topic.trends of a fresh embedded stack and timed until the alerting service has written them."})
final class AlertingBenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--rule-sets", split = ",", defaultValue = "1,100,1000", paramLabel = "N",
            description = "Rule set counts, measured one after the other in one run (default: ${DEFAULT-VALUE}).")
    List<Integer> ruleSets;

    @Mixin
    JsonOption output;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (ruleSets.stream().anyMatch(n -> n < 1 || n > 10_000)) {
            err.println("monitor bench alerting: --rule-sets are counts of 1 to 10000, e.g. 1,100,1000");
            return 2;
        }
        List<Integer> counts = ruleSets.stream().distinct().sorted().toList();
        Path dir = Files.createTempDirectory("finsent-bench-alerting-");
        RuleSetsBenchmark.Result r;
        try (EmbeddedPipeline pipeline = EmbeddedPipeline.start(new EmbeddedPipeline.Options(dir, 0, 0, 0, 0, 0, null, null, Map.of(), null), err)) {
            LocalStack stack = pipeline.stack();
            r = RuleSetsBenchmark.run(new RuleSetsBenchmark.Stack(stack.bootstrapServers(), stack.jdbcUrl(), stack.jdbcUser(),
                    pipeline.service("alerting").url(), pipeline.adminKey()), counts, err);
        } finally {
            LocalStack.deleteData(dir);
        }
        int largest = counts.get(counts.size() - 1);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("rule_sets", counts);
        result.put("windows_per_s", r.windowsPerSecond().get(largest));
        result.put("windows_per_s_by_rule_sets", JsonOption.byCount(r.windowsPerSecond()));
        result.put("windows_by_rule_sets", JsonOption.byCount(r.windows()));
        result.put("us_per_rule_set_window_by_rule_sets", JsonOption.byCount(r.microsPerRuleSet()));
        result.put("growth_vs_linear", r.growthVsLinear());
        if (output.json) {
            out.println(new ObjectMapper().writeValueAsString(result));
        } else {
            out.printf("trend sink by rule sets on one topic (the defaults count as one more)%n%n%10s %10s %14s %22s%n", "rule sets", "windows",
                    "windows/s", "us per rule set+window");
            for (int n : counts) {
                out.printf(Locale.ROOT, "%10d %10d %14.1f %22.1f%n", n, r.windows().get(n), r.windowsPerSecond().get(n), r.microsPerRuleSet().get(n));
            }
            out.printf(Locale.ROOT, "%ncost per rule set at %d against %d: %.2f (1 = linear)%n", largest, counts.get(0), r.growthVsLinear());
        }
        out.flush();
        return 0;
    }
}
