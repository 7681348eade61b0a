package io.finsent.alerting.backtest;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.finsent.alerting.rules.AlertTransition;
import io.finsent.alerting.rules.RuleKind;
import io.finsent.alerting.rules.RuleParams;
import io.finsent.schema.AlertState;

/**
 * What a {@link Backtest} found: per rule set and topic, the alert timeline and how many alerts fired. Plain
 * records (Jackson writes them as JSON as they are); {@link #rows()} flattens the counts for a table or CSV.
 *
 * @param windows windows given, duplicates included
 */
public record BacktestReport(String runId, int windows, List<RuleSetResult> ruleSets) {

    /** One rule set's results, topics in name order. */
    public record RuleSetResult(String name, String ruleSetId, RuleParams params, List<TopicResult> topics) {

        /** Alerts that fired, over all topics and rules. */
        public int fired() {
            return topics.stream().mapToInt(TopicResult::firedTotal).sum();
        }
    }

    /**
     * One topic under one rule set.
     *
     * @param windows  distinct windows fed (windows missing between them count as empty but are not counted here)
     * @param fired    alerts that reached FIRING, per rule (every rule present)
     * @param timeline every transition in event-time order (rules in their declaration order within a window)
     */
    public record TopicResult(String topic, int windows, Map<RuleKind, Integer> fired, List<AlertTransition> timeline) {

        public int firedTotal() {
            return fired.values().stream().mapToInt(Integer::intValue).sum();
        }

        /** Episodes that went PENDING but never fired (the condition held for fewer windows than the {@code for} duration). */
        public int pendingOnly() {
            Set<String> fired = new HashSet<>();
            Set<String> pending = new HashSet<>();
            for (AlertTransition t : timeline) {
                (t.state() == AlertState.PENDING ? pending : fired).add(t.alertId());
            }
            pending.removeAll(fired);
            return pending.size();
        }
    }

    /** One line of the summary table: rule set, topic and rule, with the windows seen and the alerts fired. */
    public record Row(String ruleSet, String ruleSetId, String topic, RuleKind rule, int windows, int fired) {
    }

    /** The counts as flat rows: rule sets, then topics, then rules, each in order. */
    public List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        for (RuleSetResult set : ruleSets) {
            for (TopicResult topic : set.topics()) {
                for (Map.Entry<RuleKind, Integer> fired : topic.fired().entrySet()) {
                    rows.add(new Row(set.name(), set.ruleSetId(), topic.topic(), fired.getKey(), topic.windows(), fired.getValue()));
                }
            }
        }
        return rows;
    }
}
