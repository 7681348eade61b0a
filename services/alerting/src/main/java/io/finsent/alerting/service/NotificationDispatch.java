package io.finsent.alerting.service;

import java.time.Clock;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.finsent.alerting.store.SubscriptionTable;
import io.finsent.notify.OutboxDispatcher;
import io.finsent.notify.OutboxSettings;
import io.finsent.notify.SecretLookup;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;

/**
 * Delivers the notification outbox (rows written by the trend sink) with services/notify's
 * {@link OutboxDispatcher}: signed with the subscription's webhook secret, never to private or loopback addresses
 * unless {@code alerting.notify.allow-private-targets}, each payload with the alert's evidence ({@link EvidencePayloads}).
 * Several instances may run it: rows are claimed.
 */
@ApplicationScoped
public class NotificationDispatch {

    private static final Logger LOG = Logger.getLogger(NotificationDispatch.class);

    private final OutboxDispatcher dispatcher;

    NotificationDispatch(Jdbi store, MeterRegistry registry, WebhookTargets targets, AlertingConfig config, ObjectMapper json) {
        OutboxSettings settings = OutboxSettings.defaults();
        Clock clock = Clock.systemUTC();
        this.dispatcher = new OutboxDispatcher(store, OutboxDispatcher.newHttpClient(settings), targets.policy(), secrets(store),
                new EvidencePayloads(store, json, clock, config.texts()), clock, settings, registry);
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
    private static SecretLookup secrets(Jdbi store) {
        SubscriptionTable subscriptions = store.onDemand(SubscriptionTable.class);
        return subscriptionId -> {
            try {
                return subscriptions.webhookSecret(subscriptionId);
            } catch (JdbiException e) {
                throw new IllegalStateException("cannot read the webhook secret of subscription " + subscriptionId + ": " + e.getMessage(), e);
            }
        };
    }
}
