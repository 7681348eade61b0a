package io.finsent.alerting.service.api;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import io.finsent.alerting.rules.RuleKind;
import io.finsent.alerting.store.AlertTable;
import io.finsent.alerting.store.ScoredTextTable;

/**
 * Why an alert fired: the texts of the windows that drove its rule (from the window it went pending in to the one it fired
 * in, or its latest one while it never fired), the numbers that crossed (those of the firing transition), and how many texts and distinct sources the windows
 * held. A tone rule (negative share, score drop) shows the most negative texts first; volume shows the first text of each
 * source, the busiest sources first, so a surge's breadth shows before its depth. Computed from the stored texts of the
 * alert's run, so a replay of the same input gives the same evidence.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record AlertEvidence(String rule, Instant from, Instant to, double observed, double baseline, double threshold, long textsInWindows,
                            long distinctSources, List<ScoredTextTable.Text> texts) {

    /** Texts shown with an alert. */
    public static final int TEXTS = 20;

    /**
     * The evidence of an alert with its history. An alert's times are window ends (event times): it went pending at the end
     * of its first window ({@code started_at}) and fired at the end of the window that fired it, so the windows are
     * {@code [started_at - window size, fired_at)}, or up to its latest window's end while it never fired. The numbers are
     * those of the transition that fired it (else its latest).
     */
    public static AlertEvidence of(ScoredTextTable table, AlertTable.Alert alert, List<AlertTable.HistoryEntry> history, int limit) {
        Instant from = alert.startedAt().minusMillis(alert.windowSizeMs());
        Instant to = alert.firedAt() != null ? alert.firedAt() : alert.updatedAt();
        if (to == null || !to.isAfter(from)) {
            from = alert.windowStart();
            to = alert.windowStart().plusMillis(alert.windowSizeMs());
        }
        double observed = alert.observed();
        double baseline = alert.baseline();
        double threshold = alert.threshold();
        for (AlertTable.HistoryEntry h : history) {
            if ("FIRING".equals(h.state())) {
                observed = h.observed();
                baseline = h.baseline();
                threshold = h.threshold();
                break;
            }
        }
        boolean volume = RuleKind.VOLUME_SPIKE.name().equals(alert.rule());
        List<ScoredTextTable.Text> texts = volume ? table.bySource(alert.runId(), alert.topic(), from, to, limit)
                : table.mostNegative(alert.runId(), alert.topic(), from, to, limit);
        ScoredTextTable.Tally tally = table.tally(alert.runId(), alert.topic(), from, to);
        return new AlertEvidence(alert.rule(), from, to, observed, baseline, threshold, tally.texts(), tally.sources(), texts);
    }
}
