package io.finsent.alerting.backtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.finsent.alerting.rules.AlertTransition;
import io.finsent.alerting.rules.RuleEvaluator;
import io.finsent.alerting.rules.RuleKind;
import io.finsent.alerting.rules.RuleParams;
import io.finsent.alerting.rules.TopicRuleState;
import io.finsent.alerting.trends.TrendPoint;
import io.finsent.schema.AlertState;

/** A backtest compares rule sets on the same windows, whatever their order, with the live evaluator's results. */
class BacktestTest {

    private static final long MINUTE = 60_000;
    private static final long T0 = Instant.parse("2025-03-03T09:00:00Z").toEpochMilli();
    private static final RuleParams STRICT = RuleParams.fromJson("{\"negativeShareSigmas\": 20, \"volumeFactor\": 100}");

    /** acme: calm, then a 3-minute negative surge with more texts; globex: calm throughout. */
    private static List<TrendPoint> windows() {
        List<TrendPoint> windows = new ArrayList<>();
        for (int m = 0; m < 30; m++) {
            boolean surge = m >= 15 && m < 18;
            windows.add(new TrendPoint("acme", T0 + m * MINUTE, MINUTE, surge ? 150 : 20, surge ? 120 : 4, surge ? 20 : 10, surge ? 10 : 6,
                    surge ? -0.6 : 0.1, 0.5));
            windows.add(new TrendPoint("globex", T0 + m * MINUTE, MINUTE, 20, 3, 10, 7, 0.15, 0.5));
        }
        return windows;
    }

    @Test
    void eachRuleSetGetsItsTimelineAndCountsPerTopic() {
        BacktestReport report = Backtest.run("bt-1", windows(), Map.of("strict", STRICT, "default", RuleParams.defaults()));

        assertThat(report.ruleSets()).extracting(BacktestReport.RuleSetResult::name).containsExactly("default", "strict");
        BacktestReport.RuleSetResult defaults = report.ruleSets().get(0);
        BacktestReport.RuleSetResult strict = report.ruleSets().get(1);
        assertThat(defaults.ruleSetId()).isEqualTo("default");
        assertThat(strict.ruleSetId()).isEqualTo(STRICT.id());

        BacktestReport.TopicResult acme = defaults.topics().get(0);
        assertThat(acme.topic()).isEqualTo("acme");
        assertThat(acme.windows()).isEqualTo(30);
        assertThat(acme.fired()).containsEntry(RuleKind.NEGATIVE_SHARE, 1).containsEntry(RuleKind.SCORE_DROP, 1).containsEntry(RuleKind.VOLUME_SPIKE, 1);
        assertThat(acme.timeline()).extracting(AlertTransition::state).containsExactly(
                AlertState.PENDING, AlertState.PENDING, AlertState.PENDING, AlertState.FIRING, AlertState.FIRING, AlertState.FIRING,
                AlertState.RESOLVED, AlertState.RESOLVED, AlertState.RESOLVED);
        assertThat(acme.timeline()).extracting(AlertTransition::runId).containsOnly("bt-1");
        assertThat(defaults.topics().get(1).firedTotal()).isZero();
        assertThat(defaults.fired()).isEqualTo(3);

        assertThat(strict.topics().get(0).fired()).containsEntry(RuleKind.NEGATIVE_SHARE, 0).containsEntry(RuleKind.VOLUME_SPIKE, 0)
                .containsEntry(RuleKind.SCORE_DROP, 1);
        assertThat(strict.topics().get(0).timeline()).extracting(AlertTransition::ruleSetId).containsOnly(STRICT.id());
        assertThat(report.rows()).hasSize(2 * 2 * 3).first()
                .isEqualTo(new BacktestReport.Row("default", "default", "acme", RuleKind.NEGATIVE_SHARE, 30, 1));
    }

    @Test
    void theOrderOfTheWindowsAndDuplicatesChangeNothing() {
        List<TrendPoint> shuffled = new ArrayList<>(windows());
        shuffled.addAll(windows().subList(10, 40));
        Collections.shuffle(shuffled, new Random(3));

        BacktestReport sorted = Backtest.run("bt", windows(), Map.of("default", RuleParams.defaults()));
        BacktestReport mixed = Backtest.run("bt", shuffled, Map.of("default", RuleParams.defaults()));

        assertThat(mixed.ruleSets()).isEqualTo(sorted.ruleSets());
        assertThat(mixed.windows()).isEqualTo(90);
    }

    @Test
    void theTimelineIsWhatTheLiveEvaluatorProduces() {
        RuleEvaluator live = new RuleEvaluator("default", RuleParams.defaults());
        TopicRuleState state = TopicRuleState.empty("acme");
        List<AlertTransition> expected = new ArrayList<>();
        windows().stream().filter(w -> w.topic().equals("acme")).forEach(w -> expected.addAll(live.onWindow("bt", state, w)));

        BacktestReport report = Backtest.run("bt", windows(), Map.of("default", RuleParams.defaults()));

        assertThat(report.ruleSets().get(0).topics().get(0).timeline()).isEqualTo(expected);
    }
}
