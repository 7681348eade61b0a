package io.finsent.notify;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.jboss.logging.Logger;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;

import io.finsent.alerting.store.OutboxTable;
import io.finsent.alerting.store.OutboxTable.Claimed;
import io.finsent.common.TargetPolicy;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Delivers the due rows of {@code notification_outbox} to their webhooks, at least once: a receiver may
 * see a notification twice (after a crash, or a response lost on the way back) and should deduplicate on
 * the {@code Idempotency-Key} header.
 *
 * <p>{@link #dispatchDue()} claims up to {@code batchSize} due pending rows in one short statement
 * ({@code SELECT ... FOR UPDATE SKIP LOCKED}), counting the attempt and moving their
 * {@code next_attempt_at} past a claim lease so that other dispatchers skip them; it then delivers them one
 * by one outside any transaction and writes each outcome only if the row is still as claimed. Rows of a
 * dispatcher that dies come back when the lease ends. Outcomes: 2xx delivered; 3xx and 4xx other than
 * 408/429 failed; 408, 429, 5xx, I/O errors, timeouts and unresolvable names retried with exponential
 * backoff and jitter (honouring a longer {@code Retry-After} in seconds, up to {@code backoffMax}) until
 * {@code maxAttempts}, then failed; targets refused by {@link TargetPolicy} refused; rows whose
 * subscription is gone dropped; rows a {@link PayloadCompleter} postpones (their payload not complete yet) come
 * back after the delay it asks for. Refused, dropped and postponed rows, and rows failed before sending, keep their
 * attempt count. Secrets, signatures and URL paths are never logged.
 */
public final class OutboxDispatcher {

    private static final Logger LOG = Logger.getLogger(OutboxDispatcher.class);

    /** Extra lease per row beyond the request timeout: name resolution, the secret lookup, the update. */
    private static final Duration PER_ROW_SLACK = Duration.ofSeconds(5);
    private static final Duration LEASE_SLACK = Duration.ofMinutes(1);
    private static final int MAX_ERROR_CHARS = 500;

    /** What happened to one row; each has a counter {@code finsent.notify.outcomes{outcome=...}}. */
    enum Outcome {
        DELIVERED("delivered"), FAILED("failed"), REFUSED("refused"), DROPPED("dropped"), RETRIED("pending"), POSTPONED("pending");

        final String status;

        Outcome(String status) {
            this.status = status;
        }
    }

    /** The result of handling one row. {@code sent}: an HTTP request was (or may have been) made. */
    private record Result(Outcome outcome, String error, boolean sent, Duration retryAfter) {
        static Result of(Outcome outcome, String error, boolean sent) {
            return new Result(outcome, error, sent, Duration.ZERO);
        }
    }

    private final OutboxTable outbox;
    private final HttpClient http;
    private final TargetPolicy policy;
    private final SecretLookup secrets;
    private final PayloadCompleter completer;
    private final Clock clock;
    private final OutboxSettings settings;
    private final Duration lease;
    private final Map<Outcome, Counter> counters = new EnumMap<>(Outcome.class);

    /**
     * @param http must not follow redirects (a redirect could lead past {@code policy}); see {@link #newHttpClient}
     * @param meters receives {@code finsent.notify.outcomes} counters tagged {@code outcome}
     *               (delivered, failed, refused, dropped, retried, postponed)
     * @throws IllegalArgumentException when {@code http} follows redirects
     */
    public OutboxDispatcher(Jdbi store, HttpClient http, TargetPolicy policy, SecretLookup secrets,
                            Clock clock, OutboxSettings settings, MeterRegistry meters) {
        this(store, http, policy, secrets, PayloadCompleter.AS_STORED, clock, settings, meters);
    }

    /** The same, each payload completed by {@code completer} just before it is signed and sent. */
    public OutboxDispatcher(Jdbi store, HttpClient http, TargetPolicy policy, SecretLookup secrets, PayloadCompleter completer,
                            Clock clock, OutboxSettings settings, MeterRegistry meters) {
        this.outbox = Objects.requireNonNull(store, "store").onDemand(OutboxTable.class);
        this.http = Objects.requireNonNull(http, "http");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.secrets = Objects.requireNonNull(secrets, "secrets");
        this.completer = Objects.requireNonNull(completer, "completer");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.settings = Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(meters, "meters");
        if (http.followRedirects() != HttpClient.Redirect.NEVER) {
            throw new IllegalArgumentException("the HttpClient follows redirects (" + http.followRedirects()
                    + "), which would let a webhook lead past the TargetPolicy: build it with HttpClient.Redirect.NEVER");
        }
        this.lease = settings.requestTimeout().plus(PER_ROW_SLACK).multipliedBy(settings.batchSize()).plus(LEASE_SLACK);
        for (Outcome outcome : Outcome.values()) {
            counters.put(outcome, Counter.builder("finsent.notify.outcomes")
                    .description("Outbox notifications handled, by outcome")
                    .tag("outcome", outcome == Outcome.RETRIED || outcome == Outcome.POSTPONED ? outcome.name().toLowerCase(Locale.ROOT)
                            : outcome.status)
                    .register(meters));
        }
    }

    /**
     * An HttpClient fit for the dispatcher: no redirects, HTTP/1.1 (no h2c upgrade attempts, which some
     * receivers reject), connect timeout = the request timeout.
     */
    public static HttpClient newHttpClient(OutboxSettings settings) {
        return HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(settings.requestTimeout())
                .build();
    }

    /**
     * Claims the rows due now (at most {@code batchSize}) and handles each; safe to call from several
     * threads, processes or hosts at once. Call it outside any transaction: it commits its claim before
     * sending, on connections of its own. Bad rows (unparseable URL, refused target, oversized payload,
     * a receiver that misbehaves) end in their own status and never stop the batch.
     *
     * @return how many rows were handled: delivered, failed, refused, dropped or rescheduled; 0 when none
     *         was due. Call again at once while it returns {@code batchSize}.
     * @throws OutboxException when the table cannot be read or updated
     */
    public int dispatchDue() {
        Instant now = clock.instant();
        Instant leaseEnd = now.plus(lease);
        List<Claimed> claimed = claim(now, leaseEnd);
        Duration perRow = settings.requestTimeout().plus(PER_ROW_SLACK);
        int handled = 0;
        for (int i = 0; i < claimed.size(); i++) {
            Claimed row = claimed.get(i);
            if (Thread.currentThread().isInterrupted() || clock.instant().plus(perRow).plus(LEASE_SLACK).isAfter(leaseEnd)) {
                release(claimed.subList(i, claimed.size()));
                break;
            }
            Result result;
            try {
                result = handle(row);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                release(claimed.subList(i, claimed.size()));
                break;
            } catch (RuntimeException e) {
                LOG.warnf(e, "outbox row %d: unexpected error while delivering to %s; retrying later", row.id(), hostOf(row.target()));
                result = Result.of(Outcome.RETRIED, "unexpected error: " + e.getClass().getName(), true);
            }
            finish(row, result);
            handled++;
        }
        return handled;
    }

    private Result handle(Claimed row) throws InterruptedException {
        if (row.attempts() > settings.maxAttempts()) {
            return Result.of(Outcome.FAILED, "gave up after " + settings.maxAttempts()
                    + " attempts; the last one did not finish (the dispatcher stopped)", false);
        }
        if (!"webhook".equals(row.channel())) {
            return Result.of(Outcome.FAILED, "channel '" + row.channel() + "' is not supported by this dispatcher", false);
        }
        Optional<String> secret;
        try {
            secret = secrets.secretFor(row.subscriptionId());
        } catch (RuntimeException e) {
            LOG.warnf(e, "outbox row %d: the secret lookup for subscription %d failed; retrying later", row.id(), row.subscriptionId());
            return Result.of(Outcome.RETRIED, "secret lookup failed: " + e.getClass().getName(), false);
        }
        if (secret == null || secret.isEmpty()) {
            return Result.of(Outcome.DROPPED, "subscription " + row.subscriptionId() + " no longer exists", false);
        }
        if (secret.get().isEmpty()) {
            return Result.of(Outcome.FAILED, "subscription " + row.subscriptionId() + " has an empty signing secret", false);
        }
        TargetPolicy.Decision decision = policy.check(row.target());
        if (decision instanceof TargetPolicy.Refused refused) {
            return Result.of(Outcome.REFUSED, refused.reason(), false);
        }
        if (decision instanceof TargetPolicy.Unresolved unresolved) {
            return Result.of(Outcome.RETRIED, unresolved.reason(), false);
        }
        URI uri = ((TargetPolicy.Allowed) decision).uri();
        PayloadCompleter.Completion completion = completer.complete(row);
        if (completion instanceof PayloadCompleter.Postpone later) {
            return new Result(Outcome.POSTPONED, later.reason(), false, later.delay());
        }
        byte[] body = ((PayloadCompleter.Ready) completion).payload().getBytes(StandardCharsets.UTF_8);
        if (body.length > settings.maxPayloadBytes()) {
            return Result.of(Outcome.FAILED, "payload is " + body.length + " bytes, over the limit of "
                    + settings.maxPayloadBytes(), false);
        }
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(uri)
                    .timeout(settings.requestTimeout())
                    .header("Content-Type", "application/json")
                    .header("User-Agent", "finsent-notify")
                    .header(WebhookSigner.IDEMPOTENCY_KEY_HEADER, row.idempotencyKey())
                    .header(WebhookSigner.SIGNATURE_HEADER,
                            WebhookSigner.signatureHeader(secret.get(), clock.instant().getEpochSecond(), body))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                    .build();
        } catch (IllegalArgumentException e) {
            return Result.of(Outcome.FAILED, "cannot build the request (idempotency key or URL not usable in HTTP)", false);
        }
        return send(request);
    }

    private Result send(HttpRequest request) throws InterruptedException {
        long timeoutMillis = settings.requestTimeout().toMillis();
        CompletableFuture<HttpResponse<InputStream>> future = http.sendAsync(request, HttpResponse.BodyHandlers.ofInputStream());
        HttpResponse<InputStream> response;
        try {
            // the request timeout covers the wait for the status line; this bounds connecting too
            response = future.get(timeoutMillis + 1000, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            return Result.of(Outcome.RETRIED, "no response within " + settings.requestTimeout().toMillis() + " ms", true);
        } catch (InterruptedException e) {
            future.cancel(true);
            throw e;
        } catch (CancellationException e) {
            return Result.of(Outcome.RETRIED, "request cancelled", true);
        } catch (ExecutionException e) {
            return Result.of(Outcome.RETRIED, describe(e.getCause()), true);
        }
        // only the status matters: do not wait for (or buffer) whatever body the receiver sends
        try (InputStream ignored = response.body()) {
            // closing discards the body
        } catch (IOException e) {
            LOG.debugf("closing a webhook response body failed: %s", e.getMessage());
        }
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            return Result.of(Outcome.DELIVERED, null, true);
        }
        if (status == 408 || status == 429 || (status >= 500 && status < 600)) {
            return new Result(Outcome.RETRIED, "HTTP " + status, true, retryAfter(response));
        }
        if (status >= 300 && status < 400) {
            return Result.of(Outcome.FAILED, "HTTP " + status + ": redirects are not followed; register the final URL", true);
        }
        return Result.of(Outcome.FAILED, "HTTP " + status, true);
    }

    private static String describe(Throwable cause) {
        if (cause instanceof HttpTimeoutException) {
            return "timed out: " + cause.getMessage();
        }
        if (cause instanceof ConnectException) {
            return "could not connect" + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
        }
        if (cause == null) {
            return "request failed";
        }
        return cause.getClass().getName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
    }

    private Duration retryAfter(HttpResponse<?> response) {
        Optional<String> header = response.headers().firstValue("Retry-After");
        if (header.isPresent() && header.get().strip().matches("\\d{1,9}")) {
            Duration asked = Duration.ofSeconds(Long.parseLong(header.get().strip()));
            return asked.compareTo(settings.backoffMax()) > 0 ? settings.backoffMax() : asked;
        }
        return Duration.ZERO;
    }

    private List<Claimed> claim(Instant now, Instant leaseEnd) {
        List<Claimed> rows;
        try {
            rows = new ArrayList<>(outbox.claimDue(now, leaseEnd, settings.batchSize()));
        } catch (JdbiException e) {
            throw new OutboxException("could not claim due notifications from notification_outbox: " + e.getMessage(), e);
        }
        rows.sort(Comparator.comparingLong(Claimed::id));
        return rows;
    }

    private void finish(Claimed row, Result result) {
        Instant now = clock.instant();
        Outcome outcome = result.outcome();
        String error = result.error();
        Instant next = now;
        if (outcome == Outcome.POSTPONED) {
            next = now.plus(result.retryAfter());
        } else if (outcome == Outcome.RETRIED) {
            if (row.attempts() >= settings.maxAttempts()) {
                outcome = Outcome.FAILED;
                error = "gave up after " + row.attempts() + " attempts; last: " + error;
            } else {
                Duration delay = settings.retryDelay(row.attempts(), ThreadLocalRandom.current().nextDouble());
                if (result.retryAfter().compareTo(delay) > 0) {
                    delay = result.retryAfter();
                }
                next = now.plus(delay);
            }
        }
        int attempts = result.sent() || outcome == Outcome.RETRIED ? row.attempts() : row.attempts() - 1;
        int updated;
        try {
            updated = outbox.finish(new OutboxTable.Outcome(row.id(), row.attempts(), outcome.status, attempts, next,
                    error == null ? null : truncate(error), outcome == Outcome.DELIVERED ? now : null));
        } catch (JdbiException e) {
            throw new OutboxException("could not record the outcome of notification_outbox row " + row.id() + ": " + e.getMessage(), e);
        }
        if (updated == 0) {
            LOG.warnf("outbox row %d was claimed again after this dispatcher's lease ran out; its outcome here (%s) is discarded",
                    row.id(), outcome.name().toLowerCase(Locale.ROOT));
            return;
        }
        counters.get(outcome).increment();
        switch (outcome) {
            case DELIVERED -> LOG.debugf("outbox row %d delivered to %s (attempt %d)", (Object) row.id(), hostOf(row.target()), attempts);
            case RETRIED, POSTPONED -> LOG.debugf("outbox row %d to %s: %s; attempt %d, next at %s", row.id(), hostOf(row.target()), error, attempts, next);
            default -> LOG.infof("outbox row %d to %s %s: %s", row.id(), hostOf(row.target()), outcome.status, error);
        }
    }

    private void release(List<Claimed> rows) {
        try {
            outbox.release(rows, clock.instant());
        } catch (JdbiException e) {
            throw new OutboxException("could not release " + rows.size() + " claimed notification_outbox rows: " + e.getMessage(), e);
        }
    }

    private static String truncate(String error) {
        return error.length() <= MAX_ERROR_CHARS ? error : error.substring(0, MAX_ERROR_CHARS - 3) + "...";
    }

    /** scheme://host:port of a target, for logs: paths and queries of webhook URLs often carry tokens. */
    private static String hostOf(String target) {
        try {
            URI uri = new URI(target == null ? "" : target.strip());
            return uri.getHost() == null ? "<no host>" : uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
        } catch (URISyntaxException e) {
            return "<unparseable URL>";
        }
    }
}
