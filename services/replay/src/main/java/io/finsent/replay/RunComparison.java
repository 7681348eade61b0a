package io.finsent.replay;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

import io.finsent.alerting.store.AlertTable.AlertRow;
import io.finsent.alerting.store.TrendWindowTable.TrendRow;
import io.finsent.schema.ScoredText;

/**
 * Compares two runs over an event-time range: their scored texts (by id, every field, doubles bit for bit), their
 * trend_window rows (every column but the run id) and their alert transitions (without run and alert ids, which
 * hash the run id). Identical only when all three are; the first differences are listed.
 */
public final class RunComparison {

    private static final int MAX_DIFFERENCES = 20;

    /**
     * @param scoredA        scored texts of run a in the range; likewise the rest
     * @param lateA          texts of run a later than its grace in the range (live must have none for a replay to equal it)
     * @param differences    the first differences, in words
     */
    public record Comparison(boolean identical, String runA, String runB, int scoredA, int scoredB, int trendRowsA, int trendRowsB,
                             int alertsA, int alertsB, long lateA, long lateB, List<String> differences) {
    }

    private RunComparison() {
    }

    /** Compares runs {@code a} and {@code b} on windows and texts in {@code [from, to)}, reading PostgreSQL and Kafka. */
    public static Comparison compare(String jdbcUrl, String jdbcUser, String bootstrap, String a, String b, Instant from, Instant to) {
        Map<String, ScoredText> scoredA = ScoredRecords.read(bootstrap, RunTopics.scored(a), from, to);
        Map<String, ScoredText> scoredB = ScoredRecords.read(bootstrap, RunTopics.scored(b), from, to);
        List<TrendRow> trendsA = RunDatabase.trendRows(jdbcUrl, jdbcUser, a, from, to);
        List<TrendRow> trendsB = RunDatabase.trendRows(jdbcUrl, jdbcUser, b, from, to);
        List<AlertRow> alertsA = RunDatabase.alertRows(jdbcUrl, jdbcUser, a, from, to);
        List<AlertRow> alertsB = RunDatabase.alertRows(jdbcUrl, jdbcUser, b, from, to);
        long lateA = DeadLetterCounts.count(bootstrap, RunTopics.deadLetters(a), from, to)[1];
        long lateB = DeadLetterCounts.count(bootstrap, RunTopics.deadLetters(b), from, to)[1];
        List<String> differences = new ArrayList<>();
        compareScored(scoredA, scoredB, differences);
        compareLists("trend row", trendsA, trendsB, differences);
        compareLists("alert transition", alertsA, alertsB, differences);
        return new Comparison(differences.isEmpty(), a, b, scoredA.size(), scoredB.size(), trendsA.size(), trendsB.size(), alertsA.size(),
                alertsB.size(), lateA, lateB, List.copyOf(differences));
    }

    /** Adds the first differences between two sets of scored texts by id (Avro equality: every field, doubles exactly). */
    public static void compareScored(Map<String, ScoredText> a, Map<String, ScoredText> b, List<String> differences) {
        Set<String> ids = new TreeSet<>(a.keySet());
        ids.addAll(b.keySet());
        for (String id : ids) {
            if (differences.size() >= MAX_DIFFERENCES) {
                return;
            }
            ScoredText x = a.get(id);
            ScoredText y = b.get(id);
            if (x == null || y == null) {
                differences.add("scored text " + id + " only in " + (x == null ? "the second run" : "the first run"));
            } else if (!x.equals(y)) {
                differences.add("scored text " + id + " differs: " + x + " vs " + y);
            }
        }
    }

    /** Adds the first differences between two ordered lists of records (records compare doubles by their bits). */
    public static <T> void compareLists(String what, List<T> a, List<T> b, List<String> differences) {
        if (a.size() != b.size()) {
            differences.add(what + "s: " + a.size() + " vs " + b.size());
        }
        for (int i = 0; i < Math.min(a.size(), b.size()) && differences.size() < MAX_DIFFERENCES; i++) {
            if (!Objects.equals(a.get(i), b.get(i))) {
                differences.add(what + " " + i + " differs: " + a.get(i) + " vs " + b.get(i));
            }
        }
    }
}
