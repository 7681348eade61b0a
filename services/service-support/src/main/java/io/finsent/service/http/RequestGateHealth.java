package io.finsent.service.http;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Readiness DOWN while every place of the {@link RequestGate} is taken: the service answers new requests 429. */
@Readiness
@ApplicationScoped
public class RequestGateHealth implements HealthCheck {

    private final RequestGate gate;

    RequestGateHealth(RequestGate gate) {
        this.gate = gate;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("requests").status(!gate.full()).withData("in_flight", gate.inFlight())
                .withData("max_in_flight", gate.limits().maxInFlight()).build();
    }
}
