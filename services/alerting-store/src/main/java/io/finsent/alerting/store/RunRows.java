package io.finsent.alerting.store;

import java.util.LinkedHashMap;
import java.util.Map;

import org.jdbi.v3.core.Jdbi;

/** A run's rows across the alerting tables: what a replay wrote, deleted with it. */
public final class RunRows {

    private RunRows() {
    }

    /** Deletes every row of the run in one transaction. @return rows deleted per table, in deletion order */
    public static Map<String, Integer> delete(Jdbi jdbi, String runId) {
        return jdbi.inTransaction(h -> {
            Map<String, Integer> deleted = new LinkedHashMap<>();
            AlertTable alerts = h.attach(AlertTable.class);
            deleted.put("alert_event", alerts.deleteEvents(runId)); // first: it refers to alert
            deleted.put("alert", alerts.deleteAlerts(runId));
            deleted.put("rule_state", h.attach(RuleStateTable.class).deleteRun(runId));
            deleted.put("trend_window", h.attach(TrendWindowTable.class).deleteRun(runId));
            deleted.put("scored_text", h.attach(ScoredTextTable.class).deleteRun(runId)); // its scored_text_topic rows with it
            return deleted;
        });
    }
}
