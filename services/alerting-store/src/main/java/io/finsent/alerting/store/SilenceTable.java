package io.finsent.alerting.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * Table {@code silence}: Alertmanager-like silences (matchers exact or '*', a wall-clock range, who and why), each muting its own
 * analyst's notifications only ({@link SubscriptionTable#webhookTargets} reads them). Expired, not deleted. A row is also the
 * API's answer ({@code /v1/silences}), hence its JSON names.
 */
@RegisterConstructorMapper(SilenceTable.Silence.class)
public interface SilenceTable {

    /** The columns of {@link Silence}, {@code created_by} apart. */
    String COLUMNS = """
            id, topic, rule, rule_set, severity, starts_at, ends_at, comment, created_at, expired_at,
            (expired_at IS NULL AND starts_at <= now() AND now() < ends_at) AS active
            """;

    /** A silence as listed; {@code active}: not expired and in its range now; {@code createdBy}: its analyst's name. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Silence(long id, String topic, String rule, String ruleSet, String severity, Instant startsAt, Instant endsAt, String comment,
                   Instant createdAt, Instant expiredAt, boolean active, String createdBy) {
    }

    /** What a new silence matches and when, as {@link #insert} writes it. */
    record NewSilence(long analystId, String topic, String rule, String ruleSet, String severity, Instant startsAt, Instant endsAt,
                      String comment) {
    }

    /** The analyst's silences, newest first, named {@code createdBy}. */
    @SqlQuery("SELECT " + COLUMNS + ", CAST(:createdBy AS text) AS created_by FROM silence WHERE analyst_id = :analystId ORDER BY id DESC")
    List<Silence> ofAnalyst(@Bind("analystId") long analystId, @Bind("createdBy") String createdBy);

    @SqlQuery("""
            INSERT INTO silence (analyst_id, topic, rule, rule_set, severity, starts_at, ends_at, comment)
            VALUES (:analystId, :topic, :rule, :ruleSet, :severity, :startsAt, :endsAt, :comment)
            RETURNING""" + " " + COLUMNS + ", CAST(:createdBy AS text) AS created_by")
    Silence insert(@BindMethods NewSilence silence, @Bind("createdBy") String createdBy);

    /** The analyst a silence belongs to; empty when there is no such silence. */
    @SqlQuery("SELECT analyst_id FROM silence WHERE id = :id")
    Optional<Long> ownerOf(@Bind("id") long id);

    /** Ends a silence now (an expired one keeps its time). */
    @SqlUpdate("UPDATE silence SET expired_at = COALESCE(expired_at, now()) WHERE id = :id")
    int expire(@Bind("id") long id);
}
