package io.finsent.alerting.store;

import java.time.Instant;
import java.util.List;

import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * Table {@code notification_outbox}: alert notifications waiting for delivery, written in the transaction that raises the alert and
 * delivered by {@code io.finsent.notify.OutboxDispatcher}, which claims due rows (several dispatchers may run), records each outcome
 * and releases what it could not handle.
 */
@RegisterConstructorMapper(OutboxTable.Claimed.class)
public interface OutboxTable {

    /** A claimed row; {@code attempts} already counts this attempt; {@code createdAt} is when it was enqueued (wall clock). */
    record Claimed(long id, String idempotencyKey, long subscriptionId, String channel, String target, String payload, int attempts,
                   Instant createdAt) {
    }

    /** Enqueues a webhook notification unless its idempotency key is already there. @return rows written (0 or 1) */
    @SqlUpdate("""
            INSERT INTO notification_outbox (idempotency_key, analyst_id, subscription_id, channel, target, payload)
            VALUES (:idempotencyKey, :analystId, :subscriptionId, 'webhook', :target, CAST(:payload AS jsonb))
            ON CONFLICT (idempotency_key) DO NOTHING
            """)
    int enqueueWebhook(@Bind("idempotencyKey") String idempotencyKey, @Bind("analystId") long analystId,
                       @Bind("subscriptionId") long subscriptionId, @Bind("target") String target, @Bind("payload") String payload);

    /** Claims up to {@code limit} pending rows due at {@code now} (skipping rows others hold), leased until {@code leaseEnd}. */
    @SqlQuery("""
            UPDATE notification_outbox o
               SET attempts = o.attempts + 1, next_attempt_at = :leaseEnd
              FROM (SELECT id FROM notification_outbox
                     WHERE status = 'pending' AND next_attempt_at <= :now
                     ORDER BY next_attempt_at, id
                     LIMIT :limit
                     FOR UPDATE SKIP LOCKED) due
             WHERE o.id = due.id
            RETURNING o.id, o.idempotency_key, o.subscription_id, o.channel, o.target, o.payload::text AS payload, o.attempts,
                      o.created_at
            """)
    List<Claimed> claimDue(@Bind("now") Instant now, @Bind("leaseEnd") Instant leaseEnd, @Bind("limit") int limit);

    /** The outcome of one claimed attempt. */
    record Outcome(long id, int claimedAttempts, String status, int attempts, Instant nextAttemptAt, String lastError, Instant deliveredAt) {
    }

    /** Records an outcome, unless the row was claimed again after this claim's lease ran out. @return rows updated (0 or 1) */
    @SqlUpdate("""
            UPDATE notification_outbox
               SET status = :status, attempts = :attempts, next_attempt_at = :nextAttemptAt, last_error = :lastError, delivered_at = :deliveredAt
             WHERE id = :id AND status = 'pending' AND attempts = :claimedAttempts
            """)
    int finish(@BindMethods Outcome outcome);

    /**
     * Gives claimed rows back, due at {@code now}, their attempt uncounted; one statement (PgJDBC's batch path throws an
     * AssertionError, not an SQLException, when the connection drops mid-batch).
     */
    default void release(List<Claimed> rows, Instant now) {
        release(rows.stream().map(Claimed::id).toArray(Long[]::new), rows.stream().map(r -> (long) r.attempts()).toArray(Long[]::new), now);
    }

    @SqlUpdate("""
            UPDATE notification_outbox o SET attempts = o.attempts - 1, next_attempt_at = :now
              FROM unnest(:ids, :attempts) AS r (id, attempts)
             WHERE o.id = r.id AND o.status = 'pending' AND o.attempts = r.attempts
            """)
    void release(@Bind("ids") Long[] ids, @Bind("attempts") Long[] attempts, @Bind("now") Instant now);
}
