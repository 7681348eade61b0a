package io.finsent.alerting.backtest;

import java.util.Collections;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;

import io.finsent.alerting.rules.RuleParams;

/**
 * The rule sets a backtest compares, by name: always the defaults as {@value RuleParams#DEFAULT_ID} (what every other
 * set is read against), plus the named sets given. One place for what {@code ./monitor backtest} and
 * {@code POST /v1/backtests} accept, so both refuse the same input with the same reason.
 */
public final class BacktestRuleSets {

    private final Map<String, RuleParams> byName = new TreeMap<>();

    public BacktestRuleSets() {
        byName.put(RuleParams.DEFAULT_ID, RuleParams.defaults());
    }

    /**
     * Adds one set.
     *
     * @throws IllegalArgumentException when the name is blank, already given, or {@value RuleParams#DEFAULT_ID}
     */
    public BacktestRuleSets add(String name, RuleParams params) {
        if (name == null || name.isBlank() || byName.containsKey(name)) {
            throw new IllegalArgumentException("rule set name '" + name + "' is blank or given twice ('default' is always included)");
        }
        byName.put(name, params);
        return this;
    }

    /**
     * Adds every field of a JSON object of rule sets by name, each a full or partial {@link RuleParams} object, e.g.
     * {@code {"strict": {"negativeShareSigmas": 6}}}.
     *
     * @throws IllegalArgumentException naming the rule set, when the object or one of its sets is invalid
     */
    public BacktestRuleSets addAll(JsonNode setsByName) {
        if (setsByName == null || !setsByName.isObject()) {
            throw new IllegalArgumentException("rule sets must be a JSON object of rule parameter objects by name,"
                    + " e.g. {\"strict\": {\"negativeShareSigmas\": 6}}");
        }
        for (Iterator<Map.Entry<String, JsonNode>> sets = setsByName.fields(); sets.hasNext(); ) {
            Map.Entry<String, JsonNode> set = sets.next();
            RuleParams params;
            try {
                params = RuleParams.fromJson(set.getValue().toString());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("rule set '" + set.getKey() + "': " + e.getMessage(), e);
            }
            add(set.getKey(), params);
        }
        return this;
    }

    /** The sets by name, the defaults included, as {@link Backtest#run} takes them. */
    public Map<String, RuleParams> byName() {
        return Collections.unmodifiableMap(byName);
    }
}
