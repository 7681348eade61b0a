package io.finsent.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.finsent.alerting.store.TrendWindowTable;
import io.finsent.alerting.backtest.Backtest;
import io.finsent.alerting.backtest.BacktestReport;
import io.finsent.alerting.backtest.BacktestReportWriter;
import io.finsent.alerting.backtest.BacktestRuleSets;
import io.finsent.alerting.rules.AlertTransition;
import io.finsent.alerting.rules.RuleKind;
import io.finsent.alerting.rules.RuleParams;
import io.finsent.alerting.trends.TrendPoint;
import io.finsent.replay.ReplayException;
import io.finsent.replay.ReplayOptions;
import io.finsent.replay.RunDatabase;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ./monitor backtest}: what several rule parameter sets would have fired over a run's trend windows, side by side. */
@Command(name = "backtest", mixinStandardHelpOptions = true,
        description = {"Reports the alerts each rule parameter set would have fired over a run's trend windows.",
                "The windows are PostgreSQL trend_window rows, written by the alerting service for live or a replay. The rule evaluator is",
                "live alerting's, and the report gives each set's alerts per topic and rule, side by side, with a timeline. The defaults are always included as 'default'."})
final class BacktestCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--run", required = true, paramLabel = "RUN", description = "Run id: 'live' or a replay's.")
    String run;

    @Option(names = "--from", paramLabel = "ISO", description = "First window start (default: the run's first).")
    String from;

    @Option(names = "--to", paramLabel = "ISO", description = "Window starts before this (default: the run's last).")
    String to;

    @Option(names = "--params", paramLabel = "NAME=JSON", description = "A rule set, e.g. strict='{\"negativeShareSigmas\": 6}'; repeatable.")
    List<String> params = List.of();

    @Option(names = "--params-file", paramLabel = "FILE", description = "JSON object of rule sets by name, each a (partial) parameter object.")
    Path paramsFile;


    @Mixin
    DatabaseOptions database;

    @Mixin
    JsonOption output;

    @Option(names = "--csv", description = "Print the side-by-side counts as CSV.")
    boolean csv;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        BacktestRuleSets sets = new BacktestRuleSets();
        Instant start;
        Instant end;
        try {
            if (output.json && csv) {
                throw new IllegalArgumentException("choose one of --json and --csv");
            }
            start = from == null ? null : ReplayOptions.instant("--from", from);
            end = to == null ? null : ReplayOptions.instant("--to", to);
            if (start != null && end != null && !start.isBefore(end)) {
                throw new IllegalArgumentException("--from (" + from + ") must be before --to (" + to + ")");
            }
            for (String p : params) {
                int eq = p.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("--params '" + p + "' is not NAME=JSON");
                }
                sets.add(p.substring(0, eq), RuleParams.fromJson(p.substring(eq + 1)));
            }
            if (paramsFile != null) {
                try {
                    sets.addAll(new ObjectMapper().readTree(Files.readString(paramsFile)));
                } catch (java.io.IOException e) {
                    throw new IllegalArgumentException("cannot read --params-file " + paramsFile + ": " + e.getMessage());
                }
            }
        } catch (IllegalArgumentException e) {
            err.println("monitor backtest: " + e.getMessage());
            return 2;
        }
        List<TrendPoint> windows;
        try {
            windows = RunDatabase.trendRows(database.url, database.user, run, start, end).stream().map(TrendWindowTable.TrendRow::toPoint).toList();
        } catch (ReplayException e) {
            err.println("monitor backtest: " + e.getMessage());
            return 1;
        }
        if (windows.isEmpty()) {
            err.println("monitor backtest: run '" + run + "' has no trend windows" + (start == null && end == null ? "" : " in that range")
                    + "; list a replay's with ./monitor replay, or check the run id");
            return 1;
        }
        BacktestReport report = Backtest.run(run, windows, sets.byName());
        if (output.json) {
            out.println(BacktestReportWriter.json(report));
        } else if (csv) {
            out.print(BacktestReportWriter.csv(report));
        } else {
            printText(out, report);
        }
        out.flush();
        return 0;
    }

    private static void printText(PrintWriter out, BacktestReport report) {
        out.printf(Locale.ROOT, "Backtest of run %s: %d windows, %d rule sets%n%n", report.runId(), report.windows(), report.ruleSets().size());
        List<String> names = report.ruleSets().stream().map(BacktestReport.RuleSetResult::name).toList();
        StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%-24s %-15s %8s", "topic", "rule", "windows"));
        names.forEach(n -> header.append(String.format(Locale.ROOT, " %12s", abbreviate(n, 12))));
        out.println(header);
        Map<String, Map<RuleKind, List<Integer>>> table = new TreeMap<>();
        Map<String, Integer> windowsByTopic = new TreeMap<>();
        for (BacktestReport.RuleSetResult set : report.ruleSets()) {
            for (BacktestReport.TopicResult topic : set.topics()) {
                windowsByTopic.put(topic.topic(), topic.windows());
                for (RuleKind rule : RuleKind.values()) {
                    table.computeIfAbsent(topic.topic(), t -> new LinkedHashMap<>()).computeIfAbsent(rule, r -> new ArrayList<>())
                            .add(topic.fired().getOrDefault(rule, 0));
                }
            }
        }
        table.forEach((topic, rules) -> rules.forEach((rule, fired) -> {
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-24s %-15s %8d", abbreviate(topic, 24), rule, windowsByTopic.get(topic)));
            fired.forEach(f -> line.append(String.format(Locale.ROOT, " %12d", f)));
            out.println(line);
        }));
        StringBuilder total = new StringBuilder(String.format(Locale.ROOT, "%-24s %-15s %8s", "all topics", "fired", ""));
        report.ruleSets().forEach(s -> total.append(String.format(Locale.ROOT, " %12d", s.fired())));
        out.println(total);
        for (BacktestReport.RuleSetResult set : report.ruleSets()) {
            out.printf(Locale.ROOT, "%nTimeline of %s (%s):%n", set.name(), set.ruleSetId());
            List<AlertTransition> all = new ArrayList<>();
            set.topics().forEach(t -> all.addAll(t.timeline()));
            all.sort(java.util.Comparator.comparingLong(AlertTransition::windowStart).thenComparing(AlertTransition::topic)
                    .thenComparing(AlertTransition::rule));
            if (all.isEmpty()) {
                out.println("  (no alerts)");
            }
            for (AlertTransition t : all) {
                out.printf(Locale.ROOT, "  %s  %-20s %-15s %-9s %-8s observed %.4f threshold %.4f%n", Instant.ofEpochMilli(t.windowStart()),
                        abbreviate(t.topic(), 20), t.rule(), t.state(), t.severity(), t.observed(), t.threshold());
            }
        }
    }

    private static String abbreviate(String s, int width) {
        return s.length() <= width ? s : s.substring(0, width - 1) + "~";
    }
}
