package io.finsent.service.http;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.finsent.service.security.ApiKeyMechanism;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

/**
 * Slow or greedy clients cannot starve a service (issue 16): before a request reaches its resource, it takes one of
 * {@link RequestLimits#maxInFlight()} places, and one of {@link RequestLimits#maxInFlightPerKey()} places of the API key
 * it presents (requests without a key share one). It holds them until the head of its answer is written (so a
 * long-lived event stream holds none once it is open) or its connection closes.
 * A request that finds no place is answered 429 with Retry-After and its connection closed (its body is not read). A
 * request whose body has not fully arrived {@link RequestLimits#bodyTimeout()} after its headers is answered 408 and its
 * connection closed, so a client sending a byte every few seconds holds a place for a bounded time.
 *
 * <p>Runs on the event loop, as a Vert.x filter ahead of routing and authentication: a refusal costs no worker thread.
 * {@code /q/*} (health, metrics, OpenAPI) is never held back, so operators can see a service under attack.
 * {@link RequestGateHealth} reports readiness DOWN while every place is taken.
 */
@ApplicationScoped
public class RequestGate {

    private static final Logger LOG = Logger.getLogger(RequestGate.class);
    private static final String ANONYMOUS = "";
    /** The filter runs before Quarkus's own (CORS is 300 by default; higher runs first). */
    private static final int PRIORITY = 1_000;

    private final RequestLimits limits;
    private final Vertx vertx;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final ConcurrentHashMap<String, Integer> inFlightByKey = new ConcurrentHashMap<>();
    private final Counter refusedFull;
    private final Counter refusedKey;
    private final Counter bodyTimedOut;

    RequestGate(RequestLimits limits, Vertx vertx, MeterRegistry registry) {
        this.limits = limits;
        this.vertx = vertx;
        this.refusedFull = refused(registry, "in_flight");
        this.refusedKey = refused(registry, "in_flight_per_key");
        this.bodyTimedOut = refused(registry, "body_timeout");
        Gauge.builder("finsent.http.requests.in.flight", inFlight, AtomicInteger::get)
                .description("Requests being read or answered (outside /q/)").register(registry);
    }

    private static Counter refused(MeterRegistry registry, String reason) {
        return Counter.builder("finsent.http.requests.refused").tag("reason", reason)
                .description("Requests refused by the request gate: no place left (429) or a body too slow (408)").register(registry);
    }

    void install(@Observes Filters filters) {
        filters.register(this::handle, PRIORITY);
    }

    /** Requests being read or answered now. */
    public int inFlight() {
        return inFlight.get();
    }

    /** Whether every place is taken: the next request is answered 429. */
    public boolean full() {
        return inFlight.get() >= limits.maxInFlight();
    }

    public RequestLimits limits() {
        return limits;
    }

    private void handle(RoutingContext context) {
        HttpServerRequest request = context.request();
        String path = request.path();
        if (path == null || path.startsWith("/q/")) {
            context.next();
            return;
        }
        String key = ApiKeyMechanism.presentedKey(request);
        String bucket = key == null ? ANONYMOUS : key;
        Refusal refusal = enter(bucket);
        if (refusal != null) {
            refusal.counter().increment();
            long seconds = Math.max(1, limits.retryAfter().toSeconds());
            EarlyAnswer.refuse(context, 429, refusal.message() + "; retry after " + seconds + " s", seconds);
            return;
        }
        AtomicBoolean left = new AtomicBoolean();
        long timer = request.isEnded() ? -1 : vertx.setTimer(limits.bodyTimeout().toMillis(), id -> bodyTimedOut(context));
        Runnable leave = () -> {
            if (left.compareAndSet(false, true)) {
                if (timer >= 0) {
                    vertx.cancelTimer(timer);
                }
                leave(bucket);
            }
        };
        // Held until the answer's head is written (an event stream then stays open without a place) or the connection closes.
        context.addHeadersEndHandler(v -> leave.run());
        context.addEndHandler(done -> leave.run());
        context.next();
    }

    /** Why a request found no place, and the counter of that reason. */
    private record Refusal(Counter counter, String message) {
    }

    /** Takes a place overall and one of the key's; null when taken, else why not. */
    private Refusal enter(String bucket) {
        if (inFlight.incrementAndGet() > limits.maxInFlight()) {
            inFlight.decrementAndGet();
            return new Refusal(refusedFull, limits.maxInFlight() + " requests are in flight, the limit of this service");
        }
        boolean[] taken = {false};
        inFlightByKey.compute(bucket, (k, n) -> {
            int now = n == null ? 0 : n;
            if (now >= limits.maxInFlightPerKey()) {
                return n;
            }
            taken[0] = true;
            return now + 1;
        });
        if (!taken[0]) {
            inFlight.decrementAndGet();
            return new Refusal(refusedKey, limits.maxInFlightPerKey() + " requests " + (bucket.isEmpty() ? "without an API key" : "with this API key")
                    + " are in flight, the limit per key");
        }
        return null;
    }

    private void leave(String bucket) {
        inFlightByKey.computeIfPresent(bucket, (k, n) -> n <= 1 ? null : n - 1);
        inFlight.decrementAndGet();
    }

    private void bodyTimedOut(RoutingContext context) {
        HttpServerRequest request = context.request();
        HttpServerResponse response = context.response();
        if (request.isEnded() || response.ended() || response.headWritten()) {
            return;
        }
        bodyTimedOut.increment();
        LOG.debugf("%s %s from %s: body not complete after %s; answered 408", request.method(), request.path(), request.remoteAddress(),
                limits.bodyTimeout());
        EarlyAnswer.refuse(context, 408, "the request body did not arrive within " + limits.bodyTimeout().toSeconds() + " s of its headers"
                + " (finsent.http.body-timeout); send it again at once", 0);
    }
}
