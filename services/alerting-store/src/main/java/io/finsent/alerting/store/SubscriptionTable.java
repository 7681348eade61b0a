package io.finsent.alerting.store;

import java.util.List;
import java.util.Optional;

import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * Table {@code subscription}: what analysts follow (a topic id or '*') under which rule set, and how they are told. Rows are kept
 * when deleted ({@code deleted_at}): outbox rows refer to them. Matching notifications also read the analyst and its silences.
 */
@RegisterConstructorMapper(SubscriptionTable.RuleSet.class)
@RegisterConstructorMapper(SubscriptionTable.WebhookTarget.class)
public interface SubscriptionTable {

    /** A rule set in use: {@code RuleParams.id()} and {@code RuleParams.toJson()}. */
    record RuleSet(String ruleSet, String ruleParams) {
    }

    /** A subscription to notify by webhook, and its analyst's name. */
    record WebhookTarget(long subscriptionId, long analystId, String webhookUrl, String analyst) {
    }

    /** The distinct rule sets of the topic's live subscriptions, '*' subscriptions included, by id. */
    @SqlQuery("""
            SELECT DISTINCT rule_set, rule_params FROM subscription
             WHERE deleted_at IS NULL AND (topic = :topic OR topic = '*') ORDER BY rule_set
            """)
    List<RuleSet> ruleSetsOf(@Bind("topic") String topic);

    /**
     * The enabled webhook subscriptions an alert change goes to: its topic (or '*') and rule set, a minimum severity among
     * {@code severities}, a live analyst, and none of that analyst's own silences matching it now (wall clock, as Alertmanager does).
     */
    @SqlQuery("""
            SELECT s.id AS subscription_id, s.analyst_id, s.webhook_url, a.name AS analyst
              FROM subscription s JOIN analyst a ON a.id = s.analyst_id AND a.deleted_at IS NULL
             WHERE s.deleted_at IS NULL AND s.enabled AND s.webhook_url IS NOT NULL
               AND (s.topic = :topic OR s.topic = '*') AND s.rule_set = :ruleSet AND s.min_severity = ANY (:severities)
               AND NOT EXISTS (SELECT 1 FROM silence x
                                WHERE x.analyst_id = s.analyst_id AND x.expired_at IS NULL
                                  AND x.starts_at <= now() AND now() < x.ends_at
                                  AND x.topic IN ('*', :topic) AND x.rule IN ('*', :rule) AND x.rule_set IN ('*', :ruleSet)
                                  AND x.severity IN ('*', :severity))
             ORDER BY s.id
            """)
    List<WebhookTarget> webhookTargets(@Bind("topic") String topic, @Bind("ruleSet") String ruleSet, @Bind("rule") String rule,
                                       @Bind("severity") String severity, @Bind("severities") String[] severities);

    /** The webhook secret of a live subscription; empty when it is deleted. */
    @SqlQuery("SELECT webhook_secret FROM subscription WHERE id = :id AND deleted_at IS NULL")
    Optional<String> webhookSecret(@Bind("id") long subscriptionId);

    /** Of the given analysts, those with a live subscription to the topic (or '*') under the rule set. */
    @SqlQuery("""
            SELECT DISTINCT analyst_id FROM subscription
             WHERE deleted_at IS NULL AND (topic = :topic OR topic = '*') AND rule_set = :ruleSet AND analyst_id = ANY (:analysts)
            """)
    List<Long> subscribersAmong(@Bind("topic") String topic, @Bind("ruleSet") String ruleSet, @Bind("analysts") Long[] analysts);

    // --- API (subscriptions CRUD) below this line.

    /** The columns of {@link Subscription}. */
    String COLUMNS = """
            id, topic, rule_overrides::text AS rule_overrides, rule_set, min_severity, webhook_url, enabled, created_at, updated_at
            """;

    /** A subscription as its analyst sees it: no secret; {@code ruleOverrides} as the analyst gave them (JSON text), null for none. */
    record Subscription(long id, String topic, String ruleOverrides, String ruleSet, String minSeverity, String webhookUrl, boolean enabled,
                        java.time.Instant createdAt, java.time.Instant updatedAt) {
    }

    /**
     * What a subscription asks for, as {@link #insert} and {@link #update} write it: {@code ruleSet} and {@code ruleParams} are
     * {@code RuleParams.id()} and {@code toJson()} of the effective parameters; {@code webhookSecret} null keeps the current one on update.
     */
    record Settings(String topic, String ruleOverrides, String ruleSet, String ruleParams, String minSeverity, String webhookUrl,
                    String webhookSecret, boolean enabled) {

        public Settings withWebhookSecret(String secret) {
            return new Settings(topic, ruleOverrides, ruleSet, ruleParams, minSeverity, webhookUrl, secret, enabled);
        }
    }

    /** The analyst's live subscriptions by id. */
    @SqlQuery("SELECT " + COLUMNS + " FROM subscription WHERE analyst_id = :analystId AND deleted_at IS NULL ORDER BY id")
    @RegisterConstructorMapper(Subscription.class)
    List<Subscription> ofAnalyst(@Bind("analystId") long analystId);

    @SqlQuery("SELECT " + COLUMNS + " FROM subscription WHERE id = :id")
    @RegisterConstructorMapper(Subscription.class)
    Optional<Subscription> get(@Bind("id") long id);

    /** The analyst a live subscription belongs to; empty when there is none. */
    @SqlQuery("SELECT analyst_id FROM subscription WHERE id = :id AND deleted_at IS NULL")
    Optional<Long> ownerOf(@Bind("id") long id);

    @SqlQuery("""
            INSERT INTO subscription (analyst_id, topic, rule_overrides, rule_set, rule_params, min_severity, webhook_url, webhook_secret, enabled)
            VALUES (:analystId, :topic, CAST(:ruleOverrides AS jsonb), :ruleSet, :ruleParams, :minSeverity, :webhookUrl, :webhookSecret, :enabled)
            RETURNING""" + " " + COLUMNS)
    @RegisterConstructorMapper(Subscription.class)
    Subscription insert(@Bind("analystId") long analystId, @BindMethods Settings settings);

    @SqlQuery("""
            UPDATE subscription SET topic = :topic, rule_overrides = CAST(:ruleOverrides AS jsonb), rule_set = :ruleSet,
                   rule_params = :ruleParams, min_severity = :minSeverity, webhook_url = :webhookUrl,
                   webhook_secret = COALESCE(:webhookSecret, webhook_secret), enabled = :enabled, updated_at = now()
             WHERE id = :id
            RETURNING""" + " " + COLUMNS)
    @RegisterConstructorMapper(Subscription.class)
    Subscription update(@Bind("id") long id, @BindMethods Settings settings);

    /** Deletes a subscription, keeping its row (outbox rows refer to it). */
    @SqlUpdate("UPDATE subscription SET deleted_at = now(), enabled = false, updated_at = now() WHERE id = :id")
    int delete(@Bind("id") long id);

    /** Disables every live subscription of an analyst (who is being deleted). */
    @SqlUpdate("UPDATE subscription SET enabled = false, updated_at = now() WHERE analyst_id = :analystId AND deleted_at IS NULL")
    int disableAllOf(@Bind("analystId") long analystId);
}
