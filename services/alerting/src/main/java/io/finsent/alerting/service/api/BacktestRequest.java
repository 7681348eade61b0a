package io.finsent.alerting.service.api;

import java.time.Instant;
import java.util.Iterator;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import io.finsent.alerting.backtest.BacktestRuleSets;

/**
 * The body of {@code POST /v1/backtests}: {@code run} (required), {@code from} and {@code to} (ISO-8601, window starts in
 * {@code [from, to)}; each optional) and {@code rule_sets} (optional: rule parameter objects by name, compared with the
 * defaults, which are always included as "default", as in {@code ./monitor backtest}).
 */
record BacktestRequest(String run, Instant from, Instant to, BacktestRuleSets ruleSets) {

    static final Set<String> FIELDS = Set.of("run", "from", "to", "rule_sets");

    // Names become CSV fields, column headings and attributes on the dashboard: keep them plain.
    private static final Pattern RULE_SET_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    /** Reads and checks a body; anything wrong is a 400 that names the field. */
    static BacktestRequest parse(JsonBody json, int maxRuleSets) {
        String run = json.requiredText("run");
        if (run.length() > 200) {
            throw ApiException.badRequest("field 'run' is longer than 200 characters");
        }
        Instant from = json.instant("from").orElse(null);
        Instant to = json.instant("to").orElse(null);
        if (from != null && to != null && !to.isAfter(from)) {
            throw ApiException.badRequest("'to' (" + to + ") must be after 'from' (" + from + ")");
        }
        return new BacktestRequest(run, from, to, ruleSets(json.object("rule_sets").orElse(null), maxRuleSets));
    }

    private static BacktestRuleSets ruleSets(JsonNode named, int maxRuleSets) {
        BacktestRuleSets sets = new BacktestRuleSets();
        if (named == null) {
            return sets;
        }
        if (named.size() > maxRuleSets) {
            throw ApiException.badRequest("field 'rule_sets' holds " + named.size() + " rule sets, more than the limit of " + maxRuleSets
                    + " (the defaults are always included besides them)");
        }
        for (Iterator<String> names = named.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!RULE_SET_NAME.matcher(name).matches()) {
                throw ApiException.badRequest("rule set name '" + name + "' must be 1 to 64 letters, digits, '.', '_' or '-'");
            }
        }
        try {
            return sets.addAll(named);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("field 'rule_sets': " + e.getMessage());
        }
    }
}
