package io.finsent.service.http;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * How much of a service one client, and all of them together, may hold at once ({@link RequestGate}). Every service
 * reads these from {@code finsent.http.*}; {@code /q/*} (health, metrics) is never held back by them.
 */
@ConfigMapping(prefix = "finsent.http")
public interface RequestLimits {

    /** A request whose body has not fully arrived this long after its headers is answered 408 and its connection closed. */
    @WithDefault("15s")
    Duration bodyTimeout();

    /** Requests being read or answered at once, all clients together; one more is answered 429 with Retry-After. */
    @WithDefault("128")
    int maxInFlight();

    /** Requests being read or answered at once with the same API key (or with none); one more is answered 429. */
    @WithDefault("16")
    int maxInFlightPerKey();

    /** The Retry-After of a 429. */
    @WithDefault("1s")
    Duration retryAfter();
}
