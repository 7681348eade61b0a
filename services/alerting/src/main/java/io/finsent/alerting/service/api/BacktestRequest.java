package io.finsent.alerting.service.api;

import java.time.Instant;
import java.util.Iterator;
import java.util.regex.Pattern;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.finsent.alerting.backtest.BacktestRuleSets;
import io.finsent.service.api.ApiProblem;

/**
 * The body of {@code POST /v1/backtests}: {@code run} (required), {@code from} and {@code to} (ISO-8601, window starts in
 * {@code [from, to)}; each optional) and {@code rule_sets} (optional: rule parameter objects by name, compared with the
 * defaults, which are always included as "default", as in {@code ./monitor backtest}).
 */
public record BacktestRequest(@NotNull(message = "is required") @NotBlank(message = "must not be empty") String run, String from, String to,
                              ObjectNode ruleSets) {

    // Names become CSV fields, column headings and attributes on the dashboard: keep them plain.
    private static final Pattern RULE_SET_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    /** What to backtest, checked: anything wrong is a 400 that names the field. */
    record Backtest(String run, Instant from, Instant to, BacktestRuleSets ruleSets) {
    }

    Backtest checked(int maxRuleSets) {
        String checkedRun = run.strip();
        if (checkedRun.length() > 200) {
            throw ApiProblem.badRequest("field 'run' is longer than 200 characters");
        }
        Instant start = Times.instant("from", from);
        Instant end = Times.instant("to", to);
        if (start != null && end != null && !end.isAfter(start)) {
            throw ApiProblem.badRequest("'to' (" + end + ") must be after 'from' (" + start + ")");
        }
        return new Backtest(checkedRun, start, end, checkedRuleSets(maxRuleSets));
    }

    private BacktestRuleSets checkedRuleSets(int maxRuleSets) {
        BacktestRuleSets sets = new BacktestRuleSets();
        if (ruleSets == null) {
            return sets;
        }
        if (ruleSets.size() > maxRuleSets) {
            throw ApiProblem.badRequest("field 'rule_sets' holds " + ruleSets.size() + " rule sets, more than the limit of " + maxRuleSets
                    + " (the defaults are always included besides them)");
        }
        for (Iterator<String> names = ruleSets.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!RULE_SET_NAME.matcher(name).matches()) {
                throw ApiProblem.badRequest("rule set name '" + name + "' must be 1 to 64 letters, digits, '.', '_' or '-'");
            }
        }
        try {
            return sets.addAll(ruleSets);
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest("field 'rule_sets': " + e.getMessage());
        }
    }
}
