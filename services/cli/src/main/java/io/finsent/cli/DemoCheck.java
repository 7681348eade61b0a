package io.finsent.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;

import io.finsent.alerting.rules.RuleParams;
import io.finsent.alerting.store.AlertTable;
import io.finsent.alerting.store.AlertingStore;
import io.finsent.alerting.store.TrendWindowTable;
import io.finsent.alerting.trends.TrendSettings;
import io.finsent.local.LocalStack;
import io.finsent.schema.AlertState;

/**
 * What {@code ./monitor demo --check} verifies, read from the alerting service's PostgreSQL tables once
 * every topic's windows of the demo range have closed: the surge topic fired an alert during (or just
 * after) its surge, and no calm topic fired one.
 */
final class DemoCheck {

    /** How long after the surge's end an alert still counts as the surge's (pending windows, then firing). */
    private static final Duration SURGE_SLACK = Duration.ofMinutes(5);

    record Alert(String topic, String rule, String severity, Instant windowStart, double observed, double baseline, double threshold) {
    }

    record Result(boolean passed, String surgeTicker, boolean surgeFired, List<String> calmFired, List<Alert> alerts, long windows,
                  long texts) {
    }

    private DemoCheck() {
    }

    static Result run(LocalStack stack, DemoCommand.DemoScript script, int topics, Duration timeout, PrintWriter out) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Instant lastWindow = script.end().minus(Duration.ofMinutes(1));
        Jdbi store = AlertingStore.jdbi(stack.jdbcUrl(), stack.jdbcUser());
        TrendWindowTable trends = store.onDemand(TrendWindowTable.class);
        long lastReport = 0;
        while (true) {
            int closed = topicsClosedThrough(trends, lastWindow);
            long[] progress = windowsAndTexts(trends, script);
            if (closed >= topics) {
                out.printf("All %d topics have closed their windows through %s.%n", topics, script.end());
                break;
            }
            if (System.nanoTime() > deadline) {
                out.printf("Timed out: %d of %d topics closed their windows through %s.%n", closed, topics, script.end());
                break;
            }
            if (System.nanoTime() - lastReport > 5_000_000_000L) {
                out.printf("  ... %d texts in %d closed windows; %d of %d topics done%n", progress[1], progress[0], closed, topics);
                out.flush();
                lastReport = System.nanoTime();
            }
            Thread.sleep(1000);
        }
        long[] totals = windowsAndTexts(trends, script);
        List<Alert> alerts = firing(store.onDemand(AlertTable.class), script);
        String surgeTopic = script.surgeTicker().toLowerCase(Locale.ROOT);
        Instant surgeFrom = script.surge().get(0);
        Instant surgeTo = script.surge().get(1).plus(SURGE_SLACK);
        boolean surgeFired = alerts.stream().anyMatch(a -> a.topic().equals(surgeTopic) && !a.windowStart().isBefore(surgeFrom)
                && a.windowStart().isBefore(surgeTo));
        List<String> calm = new ArrayList<>(new TreeSet<>(alerts.stream().map(Alert::topic).filter(t -> !t.equals(surgeTopic)).toList()));
        boolean complete = topicsClosedThrough(trends, lastWindow) >= topics;
        return new Result(complete && surgeFired && calm.isEmpty(), script.surgeTicker(), surgeFired, calm, alerts, totals[0], totals[1]);
    }

    private static int topicsClosedThrough(TrendWindowTable trends, Instant lastWindow) {
        try {
            return trends.topicsWithWindowFrom(TrendSettings.LIVE, lastWindow);
        } catch (JdbiException e) {
            if (AlertingStore.missingTables(e)) {
                return 0; // the alerting service has not migrated its schema yet
            }
            throw e;
        }
    }

    /** Closed live windows of the demo range, and the texts in them. */
    private static long[] windowsAndTexts(TrendWindowTable trends, DemoCommand.DemoScript script) {
        try {
            List<TrendWindowTable.Totals> totals = trends.totals(TrendSettings.LIVE, script.start(), script.end());
            return new long[] {totals.stream().mapToLong(TrendWindowTable.Totals::windows).sum(), totals.stream().mapToLong(TrendWindowTable.Totals::texts).sum()};
        } catch (JdbiException e) {
            if (AlertingStore.missingTables(e)) {
                return new long[] {0, 0};
            }
            throw e;
        }
    }

    /** Alerts of the default rule set that fired on a window of the demo range, by window, topic and rule. */
    private static List<Alert> firing(AlertTable alerts, DemoCommand.DemoScript script) {
        return alerts.eventRows(TrendSettings.LIVE, script.start(), script.end()).stream()
                .filter(e -> e.ruleSet().equals(RuleParams.DEFAULT_ID) && e.state().equals(AlertState.FIRING.name()))
                .map(e -> new Alert(e.topic(), e.rule(), e.severity(), e.windowStart(), e.observed(), e.baseline(), e.threshold()))
                .sorted(Comparator.comparing(Alert::windowStart).thenComparing(Alert::topic).thenComparing(Alert::rule))
                .toList();
    }
}
