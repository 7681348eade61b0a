package io.finsent.alerting.service;

import java.time.Duration;
import java.util.Optional;

import io.finsent.alerting.trends.TrendSettings;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/** {@code alerting.*} in application.properties; each default is documented there. */
@ConfigMapping(prefix = "alerting")
public interface AlertingConfig {

    /** 'live', or a replay's run id: part of every trend row and alert; only 'live' notifies. */
    @WithDefault(TrendSettings.LIVE)
    String runId();

    @WithDefault("1m")
    Duration windowSize();

    @WithDefault("30s")
    Duration grace();

    /** A still-firing alert is notified again when its event time passes the last notification plus this. */
    @WithDefault("4h")
    Duration repeatInterval();

    /** Trend rows of a topic fed to a rule set that starts on a topic with history. */
    @WithDefault("120")
    int warmWindows();

    /** Base of the links to an alert in notifications. */
    @WithDefault("http://localhost:8083")
    String dashboardUrl();

    Admin admin();

    Sink sink();

    Texts texts();

    Api api();

    @WithName("notify")
    Notify notifications();

    Explain explain();

    /** A partition of text.scored with no text for this long stops holding trend windows open (wall clock). */
    @WithDefault("5m")
    Duration idleAfter();

    default TrendSettings trendSettings() {
        return new TrendSettings(runId(), windowSize(), grace()).withIdleAfter(idleAfter());
    }

    /** The bootstrap administrator. */
    interface Admin {
        /** SHA-256 (hex) of a key with the admin role that needs no row in PostgreSQL; none by default. */
        Optional<String> keySha256();
    }

    /** The trend sink: topic.trends into PostgreSQL. */
    interface Sink {
        @WithDefault("true")
        boolean enabled();

        @WithDefault("finsent-alerting-sink")
        String groupId();

        @WithDefault("200")
        int maxPollRecords();

        /** First wait after a PostgreSQL failure; doubled per failure in a row up to backoff-max. */
        @WithDefault("250ms")
        Duration backoffInitial();

        @WithDefault("10s")
        Duration backoffMax();

        /** Liveness fails when the sink loop has not come round for this long. */
        @WithDefault("2m")
        Duration stallTimeout();
    }

    /** The scored text sink: every run's scored texts into PostgreSQL (evidence, texts API); backoff and batches as the trend sink's. */
    interface Texts {
        @WithDefault("true")
        boolean enabled();

        @WithDefault("finsent-alerting-texts")
        String groupId();

        /** Live texts are deleted this long after they were stored (a replay's go with the replay). */
        @WithDefault("30d")
        Duration retention();

        /** How often retention runs; read by the scheduler as {@code ${alerting.texts.retention-every}}. */
        @WithDefault("10m")
        String retentionEvery();

        /** How soon a new replay's scored topic is found (the consumer's metadata.max.age.ms). */
        @WithDefault("10s")
        Duration metadataRefresh();

        /**
         * A webhook notification or an alert stream change waits at most this long for the texts of its windows to be stored,
         * then goes with the evidence there is ({@code evidence.complete: false}).
         */
        @WithDefault("30s")
        Duration evidenceWait();
    }

    /** Delivery of the notification outbox. */
    interface Notify {
        /** How often due rows are delivered ("off": never); read by the scheduler as {@code ${alerting.notify.every}}. */
        @WithDefault("5s")
        String every();

        /** Allow webhooks to private and loopback addresses (never in production). */
        @WithDefault("false")
        boolean allowPrivateTargets();
    }

    /** Word explanations of stored texts ({@code GET /v1/texts/{id}/explanation}), computed by the scorer, which holds the model. */
    interface Explain {
        /** The scorer's base URL, e.g. http://127.0.0.1:8081; unset: explanations answer 503 saying so. */
        Optional<String> scorerUrl();

        /** The key sent to the scorer (its scorer.explain.key-sha256 is this key's SHA-256). */
        Optional<String> scorerKey();

        /** How long an explanation may take, the scorer's queue included. */
        @WithDefault("60s")
        Duration timeout();
    }

    /** The REST API. */
    interface Api {
        /** Larger request bodies are refused (413). */
        @WithDefault("65536")
        int maxBodyBytes();

        /** How long PUT/DELETE /v1/topics waits for the broker's acknowledgement. */
        @WithDefault("10s")
        Duration publishTimeout();

        /** Whether GET /v1/alerts/stream is fed (a consumer of alert.events on every instance). */
        @WithDefault("true")
        boolean streamEnabled();

        /**
         * POST /v1/backtests refuses a backtest whose trend windows times rule sets (the defaults included) exceed this: the
         * work. About 10 to 20 µs each on a 2-core machine, so the default is a few seconds at most.
         */
        @WithDefault("300000")
        int backtestMaxEvaluations();

        /** POST /v1/backtests: named rule sets in one request, besides the defaults. */
        @WithDefault("8")
        int backtestMaxRuleSets();

        /** Backtests computed at once on this instance; more are refused (429) rather than queued behind the trend sink's CPU. */
        @WithDefault("2")
        int backtestConcurrency();
    }
}
