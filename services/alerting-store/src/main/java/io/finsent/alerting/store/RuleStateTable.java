package io.finsent.alerting.store;

import java.util.List;
import java.util.Optional;

import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * Table {@code rule_state}: what one rule set remembers about one topic in one run ({@code TopicRuleState.toJson()}, text, so equal
 * states stay equal text), and the last window it evaluated.
 */
public interface RuleStateTable {

    /** One rule set's stored state. */
    record Stored(String ruleSet, String state) {
    }

    /**
     * The states of several rule sets on a topic in one statement, locked until the transaction ends (in rule set order, so
     * two writers lock in the same order); rule sets without a state are missing from the answer.
     */
    @SqlQuery("""
            SELECT rule_set, state FROM rule_state WHERE run_id = :run AND topic = :topic AND rule_set = ANY (:ruleSets)
             ORDER BY rule_set FOR UPDATE
            """)
    @RegisterConstructorMapper(Stored.class)
    List<Stored> lockAll(@Bind("run") String run, @Bind("topic") String topic, @Bind("ruleSets") String[] ruleSets);

    /** Saves several rule sets' states on a topic in one statement (the arrays are parallel). */
    @SqlUpdate("""
            UPDATE rule_state s SET state = v.state, last_window_start = v.last_window_start
              FROM unnest(:ruleSets, :states, :lastWindowStarts) AS v (rule_set, state, last_window_start)
             WHERE s.run_id = :run AND s.topic = :topic AND s.rule_set = v.rule_set
            """)
    void saveAll(@Bind("run") String run, @Bind("topic") String topic, @Bind("ruleSets") String[] ruleSets, @Bind("states") String[] states,
                 @Bind("lastWindowStarts") Long[] lastWindowStarts);

    /** The state, locked until the transaction ends; empty when the rule set has none on the topic yet. */
    default Optional<String> lock(String run, String ruleSet, String topic) {
        return lockAll(run, topic, new String[] {ruleSet}).stream().map(Stored::state).findFirst();
    }

    /** Inserts a first state, unless another instance inserted one first. */
    @SqlUpdate("""
            INSERT INTO rule_state (run_id, rule_set, topic, state, last_window_start) VALUES (:run, :ruleSet, :topic, :state, :lastWindowStart)
            ON CONFLICT DO NOTHING
            """)
    void insertIfAbsent(@Bind("run") String run, @Bind("ruleSet") String ruleSet, @Bind("topic") String topic, @Bind("state") String state,
                        @Bind("lastWindowStart") long lastWindowStart);

    default void save(String run, String ruleSet, String topic, String state, long lastWindowStart) {
        saveAll(run, topic, new String[] {ruleSet}, new String[] {state}, new Long[] {lastWindowStart});
    }

    @SqlUpdate("DELETE FROM rule_state WHERE run_id = :run")
    int deleteRun(@Bind("run") String run);
}
