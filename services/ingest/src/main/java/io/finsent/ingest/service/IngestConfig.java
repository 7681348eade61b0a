package io.finsent.ingest.service;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.finsent.ingest.ItemValidation;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The ingest service's settings ({@code ingest.*} in application.properties, where each is documented). */
@ConfigMapping(prefix = "ingest")
public interface IngestConfig {

    /** API clients by name: the SHA-256 (hex) of their key and what they may do. */
    Map<String, Client> clients();

    /** Items published later than now plus this are refused (push, feeds, demo): future-dated texts blind live alerting. */
    @WithDefault("5m")
    Duration maxFutureSkew();

    /** The item rules of every source of this service (push, feeds, demo): the defaults, with {@link #maxFutureSkew()}. */
    default ItemValidation.Rules itemRules(Clock clock) {
        return ItemValidation.Rules.defaults(clock).withMaxFutureSkew(maxFutureSkew());
    }

    Push push();

    Dedup dedup();

    Feeds feeds();

    Demo demo();

    interface Client {
        /** SHA-256 of the API key, hex; the key itself is never stored. */
        String keySha256();

        /** push (POST /v1/items), feeds (change the feed list). */
        @WithDefault("push")
        List<String> roles();
    }

    interface Push {
        @WithDefault("1048576")
        int maxBodyBytes();

        @WithDefault("1000")
        int maxBatchItems();

        /** Items sent to Kafka and not yet acknowledged; past this, 429. */
        @WithDefault("10000")
        int maxInFlight();

        @WithDefault("15s")
        Duration ackTimeout();
    }

    interface Dedup {
        @WithDefault("200000")
        int maxIds();

        @WithDefault("24h")
        Duration horizon();
    }

    interface Feeds {
        /** A file with one feed URL per line (# comments), read at start; optional. */
        Optional<Path> file();

        @WithDefault("5m")
        Duration pollInterval();

        /** How often the poller looks for due feeds ("off": never); read by the scheduler. */
        @WithDefault("5s")
        String tick();

        @WithDefault("10s")
        Duration timeout();

        @WithDefault("5242880")
        int maxBytes();

        @WithDefault("5")
        int maxRedirects();

        @WithDefault("30s")
        Duration backoffBase();

        @WithDefault("1h")
        Duration backoffMax();

        /**
         * Lets feeds on loopback, private (RFC 1918, fc00::/7) and carrier-grade NAT addresses be polled: for deployments
         * that poll internal feeds, and tests. Off, such targets are refused after DNS resolution and on every redirect
         * (the webhooks' TargetPolicy); link-local, cloud metadata, multicast and reserved addresses are refused always.
         */
        @WithDefault("false")
        boolean allowPrivateTargets();

        /** The most time one feed's document may take to parse and turn into items; past it the document is that feed's error. */
        @WithDefault("5s")
        Duration parseBudget();

        /** How many feeds are fetched and parsed at once, each on its own thread: a slow feed never holds the others back. */
        @WithDefault("4")
        int pollers();
    }

    interface Demo {
        @WithDefault("false")
        boolean enabled();

        @WithDefault("42")
        long seed();

        @WithDefault("30")
        double itemsPerMinute();

        @WithDefault("BA")
        String surgeTicker();

        /** The script repeats with this period. */
        @WithDefault("15m")
        Duration cycle();

        /** When in each cycle the surge starts. */
        @WithDefault("5m")
        Duration surgeStart();

        @WithDefault("3m")
        Duration surgeLength();

        /** The surge ticker's extra items, as a multiple of the calm rate of all tickers together. */
        @WithDefault("1.0")
        double surgeFactor();

        /**
         * Start the script this long before the service's start (to the whole minute) and publish what it
         * would have produced since at once, then go on in real time: event-time windows fill without waiting.
         */
        @WithDefault("0s")
        Duration backfill();

        /** Start the script at this instant instead (ISO-8601, in the past), publishing the backlog at once. */
        Optional<Instant> start();
    }
}
