package io.finsent.alerting.backtest;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.finsent.alerting.backtest.BacktestReport.RuleSetResult;
import io.finsent.alerting.backtest.BacktestReport.TopicResult;
import io.finsent.alerting.rules.AlertTransition;
import io.finsent.alerting.rules.RuleEvaluator;
import io.finsent.alerting.rules.RuleKind;
import io.finsent.alerting.rules.RuleParams;
import io.finsent.alerting.rules.TopicRuleState;
import io.finsent.alerting.trends.TrendPoint;
import io.finsent.schema.AlertState;

/**
 * Replays trend windows through several rule sets, with the same {@link RuleEvaluator} as live alerting, to
 * compare what each would have raised. In memory and pure: the same windows and rule sets give the same report.
 */
public final class Backtest {

    private Backtest() {
    }

    /**
     * @param runId    run id the transitions carry (part of their alert ids)
     * @param windows  closed windows of any topics, in any order; duplicates of a (topic, window start) count once
     * @param ruleSets rule sets by name; the report lists them by name
     * @throws IllegalArgumentException when one topic's windows have different sizes or are not aligned
     */
    public static BacktestReport run(String runId, Collection<TrendPoint> windows, Map<String, RuleParams> ruleSets) {
        Map<String, List<TrendPoint>> byTopic = new TreeMap<>();
        for (TrendPoint w : windows) {
            byTopic.computeIfAbsent(w.topic(), t -> new ArrayList<>()).add(w);
        }
        byTopic.values().forEach(list -> list.sort(Comparator.comparingLong(TrendPoint::windowStart)));

        List<RuleSetResult> results = new ArrayList<>();
        for (Map.Entry<String, RuleParams> set : new TreeMap<>(ruleSets).entrySet()) {
            RuleEvaluator evaluator = new RuleEvaluator(set.getValue().id(), set.getValue());
            List<TopicResult> topics = new ArrayList<>();
            for (Map.Entry<String, List<TrendPoint>> topic : byTopic.entrySet()) {
                TopicRuleState state = TopicRuleState.empty(topic.getKey());
                List<AlertTransition> timeline = new ArrayList<>();
                for (TrendPoint w : topic.getValue()) {
                    timeline.addAll(evaluator.onWindow(runId, state, w));
                }
                Map<RuleKind, Integer> fired = new EnumMap<>(RuleKind.class);
                for (RuleKind rule : RuleKind.values()) {
                    fired.put(rule, 0);
                }
                timeline.stream().filter(t -> t.state() == AlertState.FIRING).forEach(t -> fired.merge(t.rule(), 1, Integer::sum));
                int distinct = (int) topic.getValue().stream().mapToLong(TrendPoint::windowStart).distinct().count();
                topics.add(new TopicResult(topic.getKey(), distinct, fired, List.copyOf(timeline)));
            }
            results.add(new RuleSetResult(set.getKey(), evaluator.ruleSetId(), set.getValue(), List.copyOf(topics)));
        }
        return new BacktestReport(runId, windows.size(), List.copyOf(results));
    }
}
