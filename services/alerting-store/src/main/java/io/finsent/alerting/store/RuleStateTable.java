package io.finsent.alerting.store;

import java.util.Optional;

import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * Table {@code rule_state}: what one rule set remembers about one topic in one run ({@code TopicRuleState.toJson()}, text, so equal
 * states stay equal text), and the last window it evaluated.
 */
public interface RuleStateTable {

    /** The state, locked until the transaction ends; empty when the rule set has none on the topic yet. */
    @SqlQuery("SELECT state FROM rule_state WHERE run_id = :run AND rule_set = :ruleSet AND topic = :topic FOR UPDATE")
    Optional<String> lock(@Bind("run") String run, @Bind("ruleSet") String ruleSet, @Bind("topic") String topic);

    /** Inserts a first state, unless another instance inserted one first. */
    @SqlUpdate("""
            INSERT INTO rule_state (run_id, rule_set, topic, state, last_window_start) VALUES (:run, :ruleSet, :topic, :state, :lastWindowStart)
            ON CONFLICT DO NOTHING
            """)
    void insertIfAbsent(@Bind("run") String run, @Bind("ruleSet") String ruleSet, @Bind("topic") String topic, @Bind("state") String state,
                        @Bind("lastWindowStart") long lastWindowStart);

    @SqlUpdate("UPDATE rule_state SET state = :state, last_window_start = :lastWindowStart WHERE run_id = :run AND rule_set = :ruleSet AND topic = :topic")
    void save(@Bind("run") String run, @Bind("ruleSet") String ruleSet, @Bind("topic") String topic, @Bind("state") String state,
              @Bind("lastWindowStart") long lastWindowStart);

    @SqlUpdate("DELETE FROM rule_state WHERE run_id = :run")
    int deleteRun(@Bind("run") String run);
}
