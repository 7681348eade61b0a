package io.finsent.notify;

import java.util.Optional;

/** Finds the signing secret of a subscription; empty when the subscription no longer exists. */
@FunctionalInterface
public interface SecretLookup {

    /**
     * The subscription's secret, or empty when it is gone (the notification is then dropped). An
     * exception means "unknown for now": the notification is retried later.
     */
    Optional<String> secretFor(long subscriptionId);
}
