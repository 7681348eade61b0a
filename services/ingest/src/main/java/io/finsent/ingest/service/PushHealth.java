package io.finsent.ingest.service;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness DOWN while the push path cannot take an item: as many items wait for Kafka's acknowledgement as
 * {@code ingest.push.max-in-flight} allows, so every push is answered 429. (While every request place is taken, the
 * request gate's own check, "requests", is DOWN.)
 */
@Readiness
@ApplicationScoped
public class PushHealth implements HealthCheck {

    private final RawTextPublisher publisher;
    private final int maxInFlight;

    PushHealth(RawTextPublisher publisher, IngestConfig config) {
        this.publisher = publisher;
        this.maxInFlight = config.push().maxInFlight();
    }

    @Override
    public HealthCheckResponse call() {
        int waiting = publisher.inFlight();
        return HealthCheckResponse.named("push").status(waiting < maxInFlight).withData("items_waiting_for_kafka", waiting)
                .withData("max_in_flight", maxInFlight).build();
    }
}
