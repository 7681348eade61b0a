package io.finsent.alerting.service;

import jakarta.enterprise.context.ApplicationScoped;

import io.finsent.common.TargetPolicy;

/**
 * Where webhooks may go: the one {@link TargetPolicy} of the service, built from {@code alerting.notify.allow-private-targets},
 * used when a subscription is created or changed (a refused target is a 400 with the reason) and again at every delivery
 * (a name may resolve differently later).
 */
@ApplicationScoped
public class WebhookTargets {

    private final TargetPolicy policy;

    WebhookTargets(AlertingConfig config) {
        this.policy = TargetPolicy.builder().allowPrivateTargets(config.notifications().allowPrivateTargets()).build();
    }

    public TargetPolicy policy() {
        return policy;
    }
}
