package io.finsent.alerting.service.sink;

import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

import io.finsent.alerting.rules.AlertTransition;
import io.finsent.alerting.rules.RuleEvaluator;
import io.finsent.alerting.rules.RuleParams;
import io.finsent.alerting.rules.TopicRuleState;
import io.finsent.alerting.service.AlertingConfig;
import io.finsent.alerting.store.AlertTable;
import io.finsent.alerting.store.AlertingStore;
import io.finsent.alerting.store.RuleStateTable;
import io.finsent.alerting.store.SubscriptionTable;
import io.finsent.alerting.store.TrendWindowTable;
import io.finsent.alerting.trends.TrendPoint;
import io.finsent.alerting.trends.TrendSettings;
import io.finsent.schema.TopicTrendWindow;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Writes one closed trend window in ONE PostgreSQL transaction: the trend row (upsert), each applicable rule
 * set's state and transitions, the alerts and their history, and (live run only) the outbox rows. Running it
 * twice for the same window changes nothing: the row is the same, and a window at or before a rule set's last
 * one is not evaluated again. The SQL is the alerting store's ({@code services/alerting-store}); this class
 * decides what to write.
 */
@ApplicationScoped
public class TrendWindowWriter {

    private final Jdbi jdbi;
    private final AlertNotifier notifier;
    private final int warmWindows;
    private final long repeatIntervalMs;
    private final Map<String, RuleEvaluator> evaluators = new ConcurrentHashMap<>();
    /** Rule parameters by rule set id, parsed once. */
    private final Map<String, RuleParams> params = new ConcurrentHashMap<>();
    private final Counter trendRows;
    private final MeterRegistry registry;

    TrendWindowWriter(Jdbi jdbi, AlertNotifier notifier, AlertingConfig config, MeterRegistry registry) {
        this.jdbi = jdbi;
        this.notifier = notifier;
        this.warmWindows = config.warmWindows();
        this.repeatIntervalMs = config.repeatInterval().toMillis();
        this.registry = registry;
        this.trendRows = Counter.builder("finsent.alerting.trend.rows.upserted").description("trend windows written to PostgreSQL")
                .register(registry);
    }

    /**
     * Writes the window and evaluates every rule set of its topic, all or nothing.
     *
     * @return the alert changes of this window, to publish after the commit: new ones, or on a redelivery the
     *         ones recorded the first time (so a crash between commit and publication loses no event)
     * @throws SQLException when PostgreSQL failed or refused the transaction (rolled back)
     */
    public List<AlertTransition> write(TopicTrendWindow window) throws SQLException {
        List<AlertTransition> changes = AlertingStore.inTransaction(jdbi, h -> write(new Tables(h), window));
        trendRows.increment();
        for (AlertTransition t : changes) {
            registry.counter("finsent.alerting.transitions", "state", t.state().name()).increment();
        }
        return changes;
    }

    /** The store's tables on the transaction's handle. */
    private record Tables(Handle handle, TrendWindowTable trends, RuleStateTable states, AlertTable alerts, SubscriptionTable subscriptions) {

        Tables(Handle h) {
            this(h, h.attach(TrendWindowTable.class), h.attach(RuleStateTable.class), h.attach(AlertTable.class), h.attach(SubscriptionTable.class));
        }
    }

    private List<AlertTransition> write(Tables db, TopicTrendWindow w) {
        TrendPoint point = TrendPoint.of(w);
        String run = w.getRunId();
        db.trends().upsert(run, TrendWindowTable.TrendRow.of(w));
        boolean live = TrendSettings.LIVE.equals(run);
        Map<String, RuleParams> ruleSets = ruleSets(db, point.topic());
        Map<String, TopicRuleState> states = lockStates(db, run, point, ruleSets);
        List<AlertTransition> changes = new ArrayList<>();
        List<String> saved = new ArrayList<>();
        for (Map.Entry<String, RuleParams> ruleSet : ruleSets.entrySet()) {
            String ruleSetId = ruleSet.getKey();
            RuleEvaluator evaluator = evaluator(ruleSetId, ruleSet.getValue());
            TopicRuleState state = states.get(ruleSetId);
            if (point.windowStart() <= state.lastWindowStart()) {
                changes.addAll(db.alerts().eventsOfWindow(run, ruleSetId, point.topic(), Instant.ofEpochMilli(point.windowStart())));
                continue;
            }
            List<AlertTransition> transitions = evaluator.onWindow(run, state, point);
            saved.add(ruleSetId);
            for (AlertTransition t : transitions) {
                db.alerts().record(t, live);
                if (live) {
                    notifier.enqueue(db.handle(), t, 0);
                }
            }
            changes.addAll(transitions);
        }
        if (!saved.isEmpty()) {
            db.states().saveAll(run, point.topic(), saved.toArray(String[]::new), saved.stream().map(id -> states.get(id).toJson()).toArray(String[]::new),
                    saved.stream().map(id -> states.get(id).lastWindowStart()).toArray(Long[]::new));
            if (live) {
                repeatStillFiring(db, run, saved, point);
            }
        }
        return changes;
    }

    /**
     * The defaults always, then each distinct rule set of the topic's subscriptions (a '*' subscription included); a rule
     * set's parameters are parsed once (its id is a hash of them, so they never change under it).
     */
    private Map<String, RuleParams> ruleSets(Tables db, String topic) {
        Map<String, RuleParams> sets = new LinkedHashMap<>();
        RuleParams defaults = RuleParams.defaults();
        sets.put(defaults.id(), defaults);
        for (SubscriptionTable.RuleSet set : db.subscriptions().ruleSetsOf(topic)) {
            sets.computeIfAbsent(set.ruleSet(), id -> params.computeIfAbsent(id, k -> RuleParams.fromJson(set.ruleParams())));
        }
        return sets;
    }

    private RuleEvaluator evaluator(String ruleSetId, RuleParams ruleParams) {
        return evaluators.computeIfAbsent(ruleSetId, id -> new RuleEvaluator(id, ruleParams));
    }

    /**
     * Every rule set's state on the topic, locked for this transaction, in two statements however many rule sets there
     * are. A rule set new to the topic starts empty and is warmed with the topic's stored history before this window (read
     * once for all new ones).
     */
    private Map<String, TopicRuleState> lockStates(Tables db, String run, TrendPoint point, Map<String, RuleParams> ruleSets) {
        String[] ids = ruleSets.keySet().toArray(String[]::new);
        Map<String, TopicRuleState> states = new HashMap<>();
        db.states().lockAll(run, point.topic(), ids).forEach(s -> states.put(s.ruleSet(), TopicRuleState.fromJson(s.state())));
        if (states.size() == ids.length) {
            return states;
        }
        List<TrendPoint> history = null;
        for (String id : ids) {
            if (states.containsKey(id)) {
                continue;
            }
            if (history == null) {
                history = new ArrayList<>(db.trends().latestBefore(run, point.topic(), point.windowSizeMs(), Instant.ofEpochMilli(point.windowStart()),
                        warmWindows));
                Collections.reverse(history);
            }
            TopicRuleState fresh = TopicRuleState.empty(point.topic());
            if (!history.isEmpty()) {
                evaluator(id, ruleSets.get(id)).warm(fresh, history);
            }
            db.states().insertIfAbsent(run, id, point.topic(), fresh.toJson(), fresh.lastWindowStart());
        }
        // Locks the new rows, ours or those another instance inserted first.
        db.states().lockAll(run, point.topic(), ids).forEach(s -> states.put(s.ruleSet(), TopicRuleState.fromJson(s.state())));
        return states;
    }

    /**
     * Live only: each alert of these rule sets and topic still firing at this window's end, last notified a repeat
     * interval or more ago (event time), is notified again as its n-th repeat, n counted from when it fired.
     */
    private void repeatStillFiring(Tables db, String run, List<String> ruleSetIds, TrendPoint point) {
        long now = point.windowEnd();
        for (AlertTable.DueRepeat due : db.alerts().dueRepeatsOf(run, ruleSetIds.toArray(String[]::new), point.topic(),
                Instant.ofEpochMilli(now - repeatIntervalMs), Instant.ofEpochMilli(now))) {
            int repeat = (int) Math.max(1, (now - due.firedAt().toEpochMilli()) / repeatIntervalMs);
            notifier.enqueue(db.handle(), due.alert(), repeat);
            db.alerts().markNotified(due.alert().alertId(), Instant.ofEpochMilli(now));
        }
    }
}
