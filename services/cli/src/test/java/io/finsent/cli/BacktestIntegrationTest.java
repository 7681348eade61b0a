package io.finsent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import io.finsent.alerting.backtest.Backtest;
import io.finsent.alerting.backtest.BacktestReport;
import io.finsent.alerting.rules.AlertTransition;
import io.finsent.alerting.rules.RuleKind;
import io.finsent.alerting.rules.RuleParams;
import io.finsent.alerting.store.AlertingSchema;
import io.finsent.alerting.store.AlertingStore;
import io.finsent.alerting.store.TrendWindowTable;
import io.finsent.alerting.trends.TrendPoint;
import io.finsent.local.LocalStack;
import io.finsent.local.testing.LocalStackExtension;
import io.finsent.local.testing.SharedLocalStack;
import io.finsent.schema.AlertState;
import picocli.CommandLine;

/**
 * {@code ./monitor backtest} over a run's trend rows in PostgreSQL (the alerting service's tables, made by its own
 * migrations): the JSON report is exactly {@code Backtest.run} over the same windows and rule sets; a strict rule set
 * fires nothing where the defaults fire on a surge, and one with no pending window fires a window earlier; the CSV has
 * one line per rule set, topic and rule, with the fired counts of the JSON.
 */
@ExtendWith(LocalStackExtension.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class BacktestIntegrationTest {

    private static final Instant T0 = Instant.parse("2015-09-01T09:00:00Z");
    private static final long MINUTE = 60_000;
    private static final int WINDOWS = 60;
    /** Windows 40 to 42 of topic "acme": mostly negative texts. */
    private static final int SURGE = 40;
    private static final String STRICT = "{\"negativeShareSigmas\": 50, \"scoreDrop\": 2, \"volumeFactor\": 1000}";
    private static final String EAGER = "{\"pendingWindows\": 0}";

    private final String run = "bt-" + UUID.randomUUID().toString().substring(0, 8);
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeAll
    static void createTheAlertingTables() {
        LocalStack stack = SharedLocalStack.get();
        AlertingSchema.migrate(stack.jdbcUrl(), stack.jdbcUser());
    }

    @Test
    void theJsonReportIsTheBacktestOfTheRunsRowsUnderEachRuleSet(LocalStack stack) throws Exception {
        List<TrendPoint> windows = insertWindows(stack);

        int code = run(stack, "--json");

        assertThat(code).as(err.toString()).isZero();
        BacktestReport expected = Backtest.run(run, windows, Map.of(RuleParams.DEFAULT_ID, RuleParams.defaults(), "strict",
                RuleParams.fromJson(STRICT), "eager", RuleParams.fromJson(EAGER)));
        ObjectMapper json = new ObjectMapper();
        JsonNode printed = json.readTree(out.toString());
        // Both through JSON text: a tree made from the objects holds longs where the parsed one holds ints
        assertThat(printed).isEqualTo(json.readTree(json.writeValueAsString(expected)));
        assertThat(printed.get("windows").asInt()).isEqualTo(2 * WINDOWS);

        Map<String, BacktestReport.RuleSetResult> sets = new TreeMap<>();
        expected.ruleSets().forEach(s -> sets.put(s.name(), s));
        assertThat(sets.keySet()).containsExactly("default", "eager", "strict");
        assertThat(sets.get("default").fired()).as("the surge fires under the defaults").isPositive();
        assertThat(sets.get("strict").fired()).as("nothing fires under the strict set").isZero();
        assertThat(firstFiring(sets.get("eager"))).as("no pending window: fires a window earlier")
                .isEqualTo(firstFiring(sets.get("default")) - MINUTE)
                .isGreaterThanOrEqualTo(T0.toEpochMilli() + SURGE * MINUTE);
        assertThat(sets.values()).allSatisfy(s -> assertThat(s.topics().stream().filter(t -> t.topic().equals("calm")).mapToInt(
                BacktestReport.TopicResult::firedTotal).sum()).as("the calm topic under %s", s.name()).isZero());
    }

    @Test
    void theCsvHasOneLinePerRuleSetTopicAndRuleWithTheFiredCounts(LocalStack stack) throws Exception {
        List<TrendPoint> windows = insertWindows(stack);

        int code = run(stack, "--csv");

        assertThat(code).as(err.toString()).isZero();
        List<String> lines = out.toString().lines().toList();
        assertThat(lines.get(0)).isEqualTo("rule_set,rule_set_id,topic,rule,windows,fired");
        BacktestReport expected = Backtest.run(run, windows, Map.of(RuleParams.DEFAULT_ID, RuleParams.defaults(), "strict",
                RuleParams.fromJson(STRICT), "eager", RuleParams.fromJson(EAGER)));
        assertThat(lines).hasSize(1 + 3 * 2 * RuleKind.values().length);
        List<String> rows = new ArrayList<>();
        for (BacktestReport.Row row : expected.rows()) {
            rows.add(String.join(",", row.ruleSet(), row.ruleSetId(), row.topic(), row.rule().name(), Integer.toString(row.windows()),
                    Integer.toString(row.fired())));
        }
        assertThat(lines.subList(1, lines.size())).containsExactlyElementsOf(rows);
        for (BacktestReport.RuleSetResult set : expected.ruleSets()) {
            int fired = lines.stream().skip(1).filter(l -> l.startsWith(set.name() + ","))
                    .mapToInt(l -> Integer.parseInt(l.substring(l.lastIndexOf(',') + 1))).sum();
            assertThat(fired).as("fired under %s", set.name()).isEqualTo(set.fired());
        }
    }

    private int run(LocalStack stack, String format) {
        CommandLine cli = Monitor.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute("backtest", "--run", run, format, "--params", "strict=" + STRICT, "--params", "eager=" + EAGER,
                "--jdbc-url", stack.jdbcUrl(), "--jdbc-user", stack.jdbcUser());
    }

    /** An hour of 1-minute windows of two topics, 20 texts each: "calm" throughout, "acme" with a surge of negative texts. */
    private List<TrendPoint> insertWindows(LocalStack stack) throws Exception {
        List<TrendPoint> windows = new ArrayList<>();
        for (String topic : List.of("acme", "calm")) {
            for (int i = 0; i < WINDOWS; i++) {
                boolean surge = topic.equals("acme") && i >= SURGE && i < SURGE + 3;
                long start = T0.toEpochMilli() + i * MINUTE;
                windows.add(surge ? new TrendPoint(topic, start, MINUTE, 20, 14, 4, 2, -0.55, 0.35)
                        : new TrendPoint(topic, start, MINUTE, 20, 2 + i % 2, 14 - i % 2, 4, 0.1 + (i % 3) * 0.01, 0.3));
            }
        }
        AlertingStore.jdbi(stack.jdbcUrl(), stack.jdbcUser()).useTransaction(h -> {
            TrendWindowTable trends = h.attach(TrendWindowTable.class);
            for (TrendPoint w : windows) {
                trends.upsert(run, TrendWindowTable.TrendRow.of(w, w.negativeShare()));
            }
        });
        return windows;
    }

    private static long firstFiring(BacktestReport.RuleSetResult set) {
        return set.topics().stream().flatMap(t -> t.timeline().stream()).filter(t -> t.state() == AlertState.FIRING)
                .mapToLong(AlertTransition::windowStart).min().orElseThrow();
    }
}
