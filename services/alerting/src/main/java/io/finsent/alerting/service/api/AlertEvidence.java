package io.finsent.alerting.service.api;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.jdbi.v3.core.Jdbi;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import io.finsent.alerting.rules.RuleKind;
import io.finsent.alerting.store.AlertTable;
import io.finsent.alerting.store.ScoredTextTable;
import io.finsent.alerting.store.TrendWindowTable;

/**
 * Why an alert fired: the texts of the windows that drove its rule (from the window it went pending in to the one it fired
 * in, or its latest one while it never fired), the numbers that crossed (those of the firing transition), and how many texts
 * and distinct sources the windows held. A tone rule (negative share, score drop) shows the most negative texts first;
 * volume shows the first text of each source, the busiest sources first, so a surge's breadth shows before its depth.
 * Computed from the stored texts of the alert's run, so a replay of the same input gives the same evidence.
 * {@code complete}: every text the windows counted is stored (the scored text sink writes them a moment after the trend
 * sink closed the windows; notifications and the alert stream wait for this, up to {@code alerting.texts.evidence-wait}).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record AlertEvidence(String rule, Instant from, Instant to, double observed, double baseline, double threshold, long textsInWindows,
                            long distinctSources, boolean complete, List<ScoredTextTable.Text> texts) {

    /** Texts shown with an alert (the API). */
    public static final int TEXTS = 20;

    /** Texts a notification and a stream change carry. */
    public static final int BRIEF_TEXTS = 5;

    /** The tables evidence is read from (on one handle, or on demand). */
    public record Tables(AlertTable alerts, ScoredTextTable texts, TrendWindowTable trends) {

        public static Tables onDemand(Jdbi jdbi) {
            return new Tables(jdbi.onDemand(AlertTable.class), jdbi.onDemand(ScoredTextTable.class), jdbi.onDemand(TrendWindowTable.class));
        }
    }

    /**
     * The evidence of an alert as it stands now. An alert's times are window ends (event times): it went pending at the end
     * of its first window ({@code started_at}) and fired at the end of the window that fired it, so the windows are
     * {@code [started_at - window size, fired_at)}, or up to its latest window's end while it never fired. The numbers are
     * those of the transition that fired it (else its latest).
     */
    public static AlertEvidence of(Tables db, AlertTable.Alert alert, List<AlertTable.HistoryEntry> history, int limit) {
        return asOf(db, alert, history, null, limit);
    }

    /** The evidence of the alert with this id as of one of its transitions ({@link #asOf}); empty when there is no such alert. */
    public static Optional<AlertEvidence> ofAlert(Tables db, String alertId, Instant eventTime, int limit) {
        return db.alerts().seenBy(alertId, null).map(AlertTable.Seen::alert)
                .map(alert -> asOf(db, alert, db.alerts().history(alertId), eventTime, limit));
    }

    /**
     * The evidence of an alert as of one of its transitions ({@code eventTime}: the end of that transition's window; null:
     * now): a change before the alert fired shows the windows up to its own.
     */
    public static AlertEvidence asOf(Tables db, AlertTable.Alert alert, List<AlertTable.HistoryEntry> history, Instant eventTime, int limit) {
        boolean fired = alert.firedAt() != null && (eventTime == null || !alert.firedAt().isAfter(eventTime));
        Instant from = alert.startedAt().minusMillis(alert.windowSizeMs());
        Instant to = fired ? alert.firedAt() : eventTime != null ? eventTime : alert.updatedAt();
        if (to == null || !to.isAfter(from)) {
            from = alert.windowStart();
            to = alert.windowStart().plusMillis(alert.windowSizeMs());
        }
        double observed = alert.observed();
        double baseline = alert.baseline();
        double threshold = alert.threshold();
        for (AlertTable.HistoryEntry h : history) {
            boolean wanted = fired ? "FIRING".equals(h.state()) : !h.eventTime().isAfter(to);
            if (wanted) {
                observed = h.observed();
                baseline = h.baseline();
                threshold = h.threshold();
                if (fired) {
                    break;
                }
            }
        }
        boolean volume = RuleKind.VOLUME_SPIKE.name().equals(alert.rule());
        List<ScoredTextTable.Text> texts = volume ? db.texts().bySource(alert.runId(), alert.topic(), from, to, limit)
                : db.texts().mostNegative(alert.runId(), alert.topic(), from, to, limit);
        ScoredTextTable.Tally tally = db.texts().tally(alert.runId(), alert.topic(), from, to);
        boolean complete = tally.texts() >= db.trends().counted(alert.runId(), alert.topic(), alert.windowSizeMs(), from, to);
        return new AlertEvidence(alert.rule(), from, to, observed, baseline, threshold, tally.texts(), tally.sources(), complete, texts);
    }

    /** The evidence as a notification or the alert stream carries it: its first {@link #BRIEF_TEXTS} texts, in brief. */
    public Brief brief() {
        return new Brief(rule, from, to, observed, baseline, threshold, textsInWindows, distinctSources, complete,
                texts.stream().limit(BRIEF_TEXTS).map(BriefText::of).toList());
    }

    /** {@link AlertEvidence} with fewer texts and fewer fields per text. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Brief(String rule, Instant from, Instant to, double observed, double baseline, double threshold, long textsInWindows,
                        long distinctSources, boolean complete, List<BriefText> texts) {
    }

    /** A text in brief: no body, tickers or topics. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record BriefText(@JsonProperty("id") String textId, String title, String url, String source, Instant publishedAt, String label,
                            double pNegative, double score, String category) {

        static BriefText of(ScoredTextTable.Text t) {
            return new BriefText(t.textId(), t.title(), t.url(), t.source(), t.publishedAt(), t.label(), t.pNegative(), t.score(), t.category());
        }
    }
}
