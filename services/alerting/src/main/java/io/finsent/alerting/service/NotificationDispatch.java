package io.finsent.alerting.service;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Optional;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.finsent.notify.OutboxDispatcher;
import io.finsent.notify.OutboxSettings;
import io.finsent.notify.WebhookPolicy;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;

/**
 * Delivers the notification outbox (rows written by the trend sink) with services/notify's
 * {@link OutboxDispatcher}: signed with the subscription's webhook secret, never to private or loopback addresses
 * unless {@code alerting.notify.allow-private-targets}. Several instances may run it: rows are claimed.
 */
@ApplicationScoped
public class NotificationDispatch {

    private static final Logger LOG = Logger.getLogger(NotificationDispatch.class);

    private final OutboxDispatcher dispatcher;

    NotificationDispatch(DataSource dataSource, MeterRegistry registry, AlertingConfig config) {
        OutboxSettings settings = OutboxSettings.defaults();
        this.dispatcher = new OutboxDispatcher(dataSource, OutboxDispatcher.newHttpClient(settings),
                WebhookPolicy.builder().allowPrivateTargets(config.notifications().allowPrivateTargets()).build(), id -> secretOf(dataSource, id),
                Clock.systemUTC(), settings, registry);
    }

    @Scheduled(every = "${alerting.notify.every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP, identity = "notification-dispatch")
    void dispatch() {
        try {
            int handled = dispatcher.dispatchDue();
            if (handled > 0) {
                LOG.debugf("outbox: %d notifications handled", handled);
            }
        } catch (RuntimeException e) {
            LOG.warnf("outbox dispatch failed (next run retries): %s", e.getMessage());
        }
    }

    /** The webhook secret of a live subscription; empty when it is deleted (its notifications are then dropped). */
    private static Optional<String> secretOf(DataSource dataSource, long subscriptionId) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("SELECT webhook_secret FROM subscription WHERE id = ? AND deleted_at IS NULL")) {
            s.setLong(1, subscriptionId);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the webhook secret of subscription " + subscriptionId + ": " + e.getMessage(), e);
        }
    }
}
