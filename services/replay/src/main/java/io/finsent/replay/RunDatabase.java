package io.finsent.replay;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.jdbi.v3.core.ConnectionException;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;

import io.finsent.alerting.store.AlertTable;
import io.finsent.alerting.store.AlertingStore;
import io.finsent.alerting.store.RunRows;
import io.finsent.alerting.store.ScoredTextTable;
import io.finsent.alerting.store.TrendWindowTable;

/**
 * A run's rows in the alerting database, through the alerting store ({@code services/alerting-store}): read for a backtest or a
 * comparison, deleted with the run. Failures become {@link ReplayException}s that say what to do.
 */
public final class RunDatabase {

    private RunDatabase() {
    }

    static long trendRowCount(String url, String user, String runId) {
        return trendTotals(url, user, runId).stream().mapToLong(TrendWindowTable.Totals::windows).sum();
    }

    /** A run's trend windows and the texts counted in them, per window size (smallest first). */
    public static List<TrendWindowTable.Totals> trendTotals(String url, String user, String runId) {
        return query(url, user, "counting the trend rows of run " + runId, jdbi -> jdbi.onDemand(TrendWindowTable.class).totals(runId, TrendWindowTable.NO_START, TrendWindowTable.NO_END));
    }

    /** How many scored texts of a run are stored (by the alerting service's scored text sink). */
    public static long storedTexts(String url, String user, String runId) {
        return query(url, user, "counting the scored texts of run " + runId, jdbi -> jdbi.onDemand(ScoredTextTable.class).count(runId));
    }

    /** Trend rows of a run whose window starts in {@code [from, to)} (null: unbounded), by topic, size and start. */
    public static List<TrendWindowTable.TrendRow> trendRows(String url, String user, String runId, Instant from, Instant to) {
        return query(url, user, "reading the trend rows of run " + runId, jdbi -> jdbi.onDemand(TrendWindowTable.class)
                .rows(runId, from == null ? TrendWindowTable.NO_START : from, to == null ? TrendWindowTable.NO_END : to));
    }

    /** Alert transitions of a run on windows starting in {@code [from, to)}, in a stable order. */
    public static List<AlertTable.AlertRow> alertRows(String url, String user, String runId, Instant from, Instant to) {
        return query(url, user, "reading the alerts of run " + runId, jdbi -> jdbi.onDemand(AlertTable.class)
                .eventRows(runId, from == null ? TrendWindowTable.NO_START : from, to == null ? TrendWindowTable.NO_END : to));
    }

    /** Deletes every row of the run, in one transaction; @return rows deleted per table. */
    static Map<String, Integer> delete(String url, String user, String runId) {
        return query(url, user, "deleting the rows of run " + runId, jdbi -> RunRows.delete(jdbi, runId));
    }

    private static <T> T query(String url, String user, String what, Function<Jdbi, T> work) {
        try {
            return work.apply(AlertingStore.jdbi(url, user));
        } catch (ConnectionException e) {
            throw new ReplayException("cannot connect to PostgreSQL at " + url + " as " + user + " (" + AlertingStore.reason(e)
                    + "): start the stack with ./monitor up, or pass --jdbc-url and --jdbc-user", e);
        } catch (JdbiException e) {
            if (AlertingStore.missingTables(e)) {
                throw new ReplayException(what + ": the alerting tables do not exist yet; start the alerting service (./monitor up) once", e);
            }
            throw new ReplayException(what + ": " + AlertingStore.reason(e), e);
        }
    }
}
