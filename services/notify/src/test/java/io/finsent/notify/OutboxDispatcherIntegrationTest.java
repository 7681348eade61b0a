package io.finsent.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.IntStream;


import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.finsent.alerting.store.AlertingSchema;
import io.finsent.alerting.store.AlertingStore;
import io.finsent.alerting.store.fixtures.OutboxFixture;
import io.finsent.common.TargetPolicy;
import io.finsent.local.LocalStack;
import io.finsent.local.testing.LocalStackExtension;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * Notifications written to the outbox reach their webhook signed, at least once and in practice once, are
 * retried with backoff on transient failures, and are never sent to targets the policy refuses. Real
 * PostgreSQL (the V50 migration of services/alerting) and a real HTTP receiver on loopback.
 */
@ExtendWith(LocalStackExtension.class)
@Timeout(120)
class OutboxDispatcherIntegrationTest {

    /** The names these tests use, resolved to fixed addresses: a public one, a private one and loopback. */
    private static final TargetPolicy.HostResolver NAMES = host -> switch (host) {
        case "hooks.example.com" -> List.of(java.net.InetAddress.getByAddress(host, new byte[] {93, (byte) 184, (byte) 216, 34}));
        case "internal.example" -> List.of(java.net.InetAddress.getByAddress(host, new byte[] {10, 1, 2, 3}));
        case "loop.example" -> List.of(java.net.InetAddress.getByAddress(host, new byte[] {127, 0, 0, 1}));
        default -> throw new java.net.UnknownHostException(host);
    };


    private static final String SECRET = "whsec_integration";
    private static final long SUBSCRIPTION = 1;
    private static final long GONE_SUBSCRIPTION = 2;
    private static final long BROKEN_LOOKUP_SUBSCRIPTION = 3;
    private static final String PAYLOAD = "{\"alert\": \"ACME sentiment dropped\", \"score\": -0.82, \"topic\": \"ACME\"}";

    private static final OutboxSettings SETTINGS = new OutboxSettings(10, 3, Duration.ofSeconds(10), Duration.ofSeconds(60),
            Duration.ofMillis(700), 4096);

    private static Jdbi store;
    private static OutboxFixture outbox;
    private static HttpServer server;
    private static String base;
    private static final Receiver RECEIVER = new Receiver();

    private final MutableClock clock = new MutableClock(Instant.now().plusSeconds(5).truncatedTo(ChronoUnit.MICROS));
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final CountingHttpClient http = new CountingHttpClient(OutboxDispatcher.newHttpClient(SETTINGS));
    private final TargetPolicy privateAllowed = TargetPolicy.builder()
            .resolver(NAMES).allowPrivateTargets(true).build();

    @BeforeAll
    static void startDatabaseAndReceiver(LocalStack stack) throws Exception {
        AlertingSchema.migrate(stack.jdbcUrl(), stack.jdbcUser());
        store = AlertingStore.jdbi(stack.jdbcUrl(), stack.jdbcUser());
        outbox = store.onDemand(OutboxFixture.class);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", RECEIVER::handle);
        server.setExecutor(Executors.newCachedThreadPool());
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterAll
    static void stopReceiver() {
        server.stop(0);
    }

    @BeforeEach
    void emptyOutbox() {
        outbox.truncate();
        RECEIVER.reset(clock);
    }

    private OutboxDispatcher dispatcher(TargetPolicy policy) {
        return new OutboxDispatcher(store, http, policy, this::secretFor, clock, SETTINGS, meters);
    }

    private Optional<String> secretFor(long subscriptionId) {
        if (subscriptionId == BROKEN_LOOKUP_SUBSCRIPTION) {
            throw new IllegalStateException("subscription store unavailable");
        }
        return subscriptionId == GONE_SUBSCRIPTION ? Optional.empty() : Optional.of(SECRET);
    }

    @Test
    void deliversSignedWithIdempotencyKeyAndOnlyOnce() throws Exception {
        insert("alert-1", SUBSCRIPTION, base + "/ok?token=abc", PAYLOAD);
        insert("alert-1", SUBSCRIPTION, base + "/ok?token=abc", PAYLOAD); // the service's ON CONFLICT DO NOTHING
        var dispatcher = dispatcher(privateAllowed);

        assertThat(dispatcher.dispatchDue()).isEqualTo(1);
        assertThat(dispatcher.dispatchDue()).isZero();

        var row = row("alert-1");
        assertThat(row.status()).isEqualTo("delivered");
        assertThat(row.attempts()).isEqualTo(1);
        assertThat(row.deliveredAt()).isNotNull();
        assertThat(row.lastError()).isNull();
        assertThat(RECEIVER.received()).singleElement().satisfies(r -> {
            assertThat(r.path()).isEqualTo("/ok");
            assertThat(r.signatureValid()).isTrue();
            assertThat(r.idempotencyKey()).isEqualTo("alert-1");
            assertThat(r.contentType()).isEqualTo("application/json");
            assertThat(r.body()).isEqualTo(row.payload());
        });
        assertThat(meters.counter("finsent.notify.outcomes", "outcome", "delivered").count()).isEqualTo(1.0);
    }

    @Test
    void severalDispatchersRunningAtOnceDeliverEachNotificationOnce() throws Exception {
        int n = 60;
        for (int i = 0; i < n; i++) {
            insert("bulk-" + i, SUBSCRIPTION, base + "/ok", "{\"n\": " + i + "}");
        }
        List<OutboxDispatcher> dispatchers = IntStream.range(0, 4).mapToObj(i -> dispatcher(privateAllowed)).toList();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(dispatchers.size());
        try {
            List<Future<Integer>> runs = new ArrayList<>();
            for (var d : dispatchers) {
                runs.add(pool.submit(() -> {
                    start.await();
                    int total = 0;
                    for (int handled = d.dispatchDue(); handled > 0; handled = d.dispatchDue()) {
                        total += handled;
                    }
                    return total;
                }));
            }
            start.countDown();
            int handled = 0;
            for (var run : runs) {
                handled += run.get();
            }
            assertThat(handled).isEqualTo(n);
        } finally {
            pool.shutdownNow();
        }

        Map<String, Long> perKey = RECEIVER.received().stream()
                .collect(Collectors.groupingBy(Received::idempotencyKey, Collectors.counting()));
        assertThat(perKey).hasSize(n).allSatisfy((key, count) -> assertThat(count).as(key).isEqualTo(1L));
        assertThat(countWithStatus("delivered")).isEqualTo(n);
    }

    @Test
    void rowsLockedByAnotherClaimAreSkippedNotWaitedFor() throws Exception {
        for (int i = 0; i < 10; i++) {
            insert("contended-" + i, SUBSCRIPTION, base + "/ok", PAYLOAD);
        }
        var dispatcher = dispatcher(privateAllowed);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (Handle other = store.open()) {
            other.begin();
            // another dispatcher in the middle of its claim holds these rows
            other.attach(OutboxFixture.class).lock(List.of("contended-0", "contended-1", "contended-2", "contended-3"));

            assertThat(pool.submit(dispatcher::dispatchDue).get(10, TimeUnit.SECONDS)).isEqualTo(6);
            assertThat(row("contended-0").status()).isEqualTo("pending");
            assertThat(row("contended-0").attempts()).isZero();
            other.rollback();
        } finally {
            pool.shutdownNow();
        }

        assertThat(dispatcher.dispatchDue()).isEqualTo(4);
        assertThat(countWithStatus("delivered")).isEqualTo(10);
        assertThat(RECEIVER.received()).hasSize(10);
    }

    @Test
    void aCompleterPostponesARowWithoutCountingAnAttemptThenItsCompletedBodyIsSignedAndSent() throws Exception {
        insert("later-1", SUBSCRIPTION, base + "/ok", PAYLOAD);
        java.util.concurrent.atomic.AtomicBoolean ready = new java.util.concurrent.atomic.AtomicBoolean();
        PayloadCompleter completer = row -> ready.get() ? new PayloadCompleter.Ready(row.payload().replace("}", ", \"evidence\": [1, 2]}"))
                : new PayloadCompleter.Postpone(Duration.ofSeconds(3), "waiting for the evidence");
        var dispatcher = new OutboxDispatcher(store, http, privateAllowed, this::secretFor, completer, clock, SETTINGS, meters);

        Instant t0 = clock.instant();
        assertThat(dispatcher.dispatchDue()).isEqualTo(1);
        var postponed = row("later-1");
        assertThat(postponed.status()).isEqualTo("pending");
        assertThat(postponed.attempts()).as("waiting is not a failed attempt").isZero();
        assertThat(postponed.lastError()).isEqualTo("waiting for the evidence");
        assertThat(postponed.nextAttemptAt()).isEqualTo(t0.plusSeconds(3));
        assertThat(RECEIVER.received()).isEmpty();
        assertThat(meters.counter("finsent.notify.outcomes", "outcome", "postponed").count()).isEqualTo(1.0);

        ready.set(true);
        clock.set(postponed.nextAttemptAt());
        assertThat(dispatcher.dispatchDue()).isEqualTo(1);
        var delivered = row("later-1");
        assertThat(delivered.status()).isEqualTo("delivered");
        assertThat(delivered.attempts()).isEqualTo(1);
        assertThat(RECEIVER.received()).singleElement().satisfies(r -> {
            assertThat(r.signatureValid()).isTrue();
            assertThat(r.body()).contains("\"evidence\": [1, 2]").contains("ACME sentiment dropped");
        });
    }

    @Test
    void retriesServerErrorsWithGrowingBackoffThenDelivers() throws Exception {
        insert("flaky-1", SUBSCRIPTION, base + "/scripted", PAYLOAD);
        RECEIVER.script.addAll(List.of(500, 503));
        var dispatcher = dispatcher(privateAllowed);

        Instant t0 = clock.instant();
        assertThat(dispatcher.dispatchDue()).isEqualTo(1);
        var afterFirst = row("flaky-1");
        assertThat(afterFirst.status()).isEqualTo("pending");
        assertThat(afterFirst.attempts()).isEqualTo(1);
        assertThat(afterFirst.lastError()).isEqualTo("HTTP 500");
        assertThat(afterFirst.nextAttemptAt()).isBetween(t0.plusSeconds(5), t0.plusSeconds(10));
        assertThat(dispatcher.dispatchDue()).as("not due before its backoff").isZero();

        clock.set(afterFirst.nextAttemptAt());
        Instant t1 = clock.instant();
        assertThat(dispatcher.dispatchDue()).isEqualTo(1);
        var afterSecond = row("flaky-1");
        assertThat(afterSecond.attempts()).isEqualTo(2);
        assertThat(afterSecond.lastError()).isEqualTo("HTTP 503");
        assertThat(afterSecond.nextAttemptAt()).isBetween(t1.plusSeconds(10), t1.plusSeconds(20));

        clock.set(afterSecond.nextAttemptAt());
        assertThat(dispatcher.dispatchDue()).isEqualTo(1);
        var delivered = row("flaky-1");
        assertThat(delivered.status()).isEqualTo("delivered");
        assertThat(delivered.attempts()).isEqualTo(3);
        assertThat(delivered.lastError()).isNull();
        assertThat(RECEIVER.received()).hasSize(3)
                .allSatisfy(r -> {
                    assertThat(r.idempotencyKey()).isEqualTo("flaky-1");
                    assertThat(r.signatureValid()).isTrue();
                });
        assertThat(meters.counter("finsent.notify.outcomes", "outcome", "retried").count()).isEqualTo(2.0);
    }

    @Test
    void honoursALongerRetryAfterUpToTheCap() throws Exception {
        insert("busy-1", SUBSCRIPTION, base + "/status/429?retry-after=45", PAYLOAD);
        insert("busy-2", SUBSCRIPTION, base + "/status/429?retry-after=99999", PAYLOAD);
        Instant t0 = clock.instant();

        dispatcher(privateAllowed).dispatchDue();

        assertThat(row("busy-1").nextAttemptAt()).isEqualTo(t0.plusSeconds(45));
        assertThat(row("busy-2").nextAttemptAt()).isEqualTo(t0.plus(SETTINGS.backoffMax()));
    }

    @ParameterizedTest
    @ValueSource(ints = {400, 401, 403, 404, 410, 422, 301, 302})
    void clientErrorsAndRedirectsFailPermanently(int status) throws Exception {
        insert("perm-" + status, SUBSCRIPTION, base + "/status/" + status, PAYLOAD);
        var dispatcher = dispatcher(privateAllowed);

        assertThat(dispatcher.dispatchDue()).isEqualTo(1);
        clock.advance(Duration.ofHours(2));
        assertThat(dispatcher.dispatchDue()).isZero();

        var row = row("perm-" + status);
        assertThat(row.status()).isEqualTo("failed");
        assertThat(row.attempts()).isEqualTo(1);
        assertThat(row.lastError()).startsWith("HTTP " + status);
        assertThat(RECEIVER.received()).extracting(Received::path).containsExactly("/status/" + status);
    }

    @ParameterizedTest
    @ValueSource(ints = {408, 429, 500, 502, 503, 504})
    void timeoutsThrottlingAndServerErrorsAreRetriedUntilMaxAttemptsThenFail(int status) throws Exception {
        insert("transient-" + status, SUBSCRIPTION, base + "/status/" + status, PAYLOAD);
        var dispatcher = dispatcher(privateAllowed);

        for (int attempt = 1; attempt <= SETTINGS.maxAttempts(); attempt++) {
            assertThat(dispatcher.dispatchDue()).isEqualTo(1);
            clock.advance(SETTINGS.backoffMax());
        }
        assertThat(dispatcher.dispatchDue()).isZero();

        var row = row("transient-" + status);
        assertThat(row.status()).isEqualTo("failed");
        assertThat(row.attempts()).isEqualTo(SETTINGS.maxAttempts());
        assertThat(row.lastError()).contains("gave up after 3 attempts", "HTTP " + status);
        assertThat(RECEIVER.received()).hasSize(SETTINGS.maxAttempts());
        assertThat(meters.counter("finsent.notify.outcomes", "outcome", "failed").count()).isEqualTo(1.0);
    }

    @Test
    void aReceiverThatDoesNotAnswerInTimeIsRetried() throws Exception {
        insert("slow-1", SUBSCRIPTION, base + "/slow", PAYLOAD);
        insert("after-slow", SUBSCRIPTION, base + "/ok", PAYLOAD);
        long started = System.nanoTime();

        assertThat(dispatcher(privateAllowed).dispatchDue()).isEqualTo(2);

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
        var slow = row("slow-1");
        assertThat(slow.status()).isEqualTo("pending");
        assertThat(slow.attempts()).isEqualTo(1);
        assertThat(slow.lastError()).containsAnyOf("timed out", "no response");
        assertThat(row("after-slow").status()).isEqualTo("delivered");
    }

    @Test
    void aClosedPortIsRetried() throws Exception {
        int closedPort;
        try (var socket = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        insert("closed-1", SUBSCRIPTION, "http://127.0.0.1:" + closedPort + "/hook", PAYLOAD);

        dispatcher(privateAllowed).dispatchDue();

        var row = row("closed-1");
        assertThat(row.status()).isEqualTo("pending");
        assertThat(row.attempts()).isEqualTo(1);
        assertThat(row.lastError()).isNotBlank();
    }

    @Test
    void refusesUnsafeTargetsByDefaultWithoutSendingAnything() throws Exception {
        int port = server.getAddress().getPort();
        List<String> targets = List.of(
                "http://127.0.0.1:" + port + "/ok",
                "http://10.0.0.1/hook",
                "http://169.254.169.254/latest/meta-data",
                "http://[::1]:" + port + "/ok",
                "http://internal.example/hook",
                "http://loop.example:" + port + "/ok",
                "ftp://hooks.example.com/hook",
                "http://user:pw@hooks.example.com/hook");
        for (int i = 0; i < targets.size(); i++) {
            insert("unsafe-" + i, SUBSCRIPTION, targets.get(i), PAYLOAD);
        }
        var strict = TargetPolicy.builder().resolver(NAMES).build();

        assertThat(dispatcher(strict).dispatchDue()).isEqualTo(targets.size());

        for (int i = 0; i < targets.size(); i++) {
            var row = row("unsafe-" + i);
            assertThat(row.status()).as(targets.get(i)).isEqualTo("refused");
            assertThat(row.attempts()).as(targets.get(i)).isZero();
            assertThat(row.lastError()).as(targets.get(i)).isNotBlank();
        }
        assertThat(http.sends).as("requests attempted").isZero();
        assertThat(RECEIVER.received()).isEmpty();
        assertThat(meters.counter("finsent.notify.outcomes", "outcome", "refused").count()).isEqualTo(targets.size());
    }

    @Test
    void dropsNotificationsOfDeletedSubscriptionsAndRetriesWhenTheLookupFails() throws Exception {
        insert("gone-1", GONE_SUBSCRIPTION, base + "/ok", PAYLOAD);
        insert("lookup-down-1", BROKEN_LOOKUP_SUBSCRIPTION, base + "/ok", PAYLOAD);

        assertThat(dispatcher(privateAllowed).dispatchDue()).isEqualTo(2);

        var gone = row("gone-1");
        assertThat(gone.status()).isEqualTo("dropped");
        assertThat(gone.attempts()).isZero();
        assertThat(gone.lastError()).contains("subscription 2");
        var down = row("lookup-down-1");
        assertThat(down.status()).isEqualTo("pending");
        assertThat(down.lastError()).contains("secret lookup failed");
        assertThat(http.sends).isZero();
    }

    @Test
    void badRowsEndInTheirOwnStatusAndNeverStopTheBatch() throws Exception {
        insert("bad-url-1", SUBSCRIPTION, "not a url", PAYLOAD);
        insert("bad-url-2", SUBSCRIPTION, "http://exa mple.com/", PAYLOAD);
        insert("bad-url-3", SUBSCRIPTION, "http://[::1", PAYLOAD);
        insert("bad-url-4", SUBSCRIPTION, "", PAYLOAD);
        insert("bad-url-5", SUBSCRIPTION, "http://nowhere.example/hook", PAYLOAD);
        insert("too-big", SUBSCRIPTION, base + "/ok", "{\"pad\": \"" + "x".repeat(5000) + "\"}");
        insert("bad\r\nkey", SUBSCRIPTION, base + "/ok", PAYLOAD);
        insert("scalar-payload", SUBSCRIPTION, base + "/ok", "\"just a string\"");
        insert("good", SUBSCRIPTION, base + "/ok", PAYLOAD);

        assertThat(dispatcher(privateAllowed).dispatchDue()).isEqualTo(9);

        assertThat(row("bad-url-1").status()).isEqualTo("refused");
        assertThat(row("bad-url-2").status()).isEqualTo("refused");
        assertThat(row("bad-url-3").status()).isEqualTo("refused");
        assertThat(row("bad-url-4").status()).isEqualTo("refused");
        assertThat(row("bad-url-5").status()).as("unresolvable names are retried").isEqualTo("pending");
        assertThat(row("too-big").status()).isEqualTo("failed");
        assertThat(row("too-big").lastError()).contains("over the limit of 4096");
        assertThat(row("bad\r\nkey").status()).isEqualTo("failed");
        assertThat(row("scalar-payload").status()).isEqualTo("delivered");
        assertThat(row("good").status()).isEqualTo("delivered");
        assertThat(RECEIVER.received()).extracting(Received::idempotencyKey).containsExactlyInAnyOrder("scalar-payload", "good");
    }

    @Test
    void aRowWhoseLastAttemptNeverFinishedFailsWithoutAnotherRequest() throws Exception {
        insert("orphan-1", SUBSCRIPTION, base + "/ok", PAYLOAD);
        outbox.setAttempts("orphan-1", SETTINGS.maxAttempts());

        assertThat(dispatcher(privateAllowed).dispatchDue()).isEqualTo(1);

        assertThat(row("orphan-1").status()).isEqualTo("failed");
        assertThat(row("orphan-1").lastError()).contains("did not finish");
        assertThat(http.sends).isZero();
    }

    @Test
    void refusesAnHttpClientThatFollowsRedirects() {
        HttpClient following = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build();

        assertThatThrownBy(() -> new OutboxDispatcher(store, following, privateAllowed, this::secretFor, clock, SETTINGS, meters))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Redirect.NEVER");
    }

    private void insert(String key, long subscriptionId, String target, String payload) {
        outbox.insert(key, subscriptionId, target, payload, clock.instant());
    }

    private OutboxFixture.Row row(String key) {
        return outbox.row(key).orElseThrow(() -> new AssertionError("no outbox row " + key));
    }

    private int countWithStatus(String status) {
        return outbox.countWithStatus(status);
    }

    /** One request as the receiver saw it, its signature checked as a real receiver would. */
    record Received(String path, String idempotencyKey, String contentType, String body, boolean signatureValid) {
    }

    /**
     * The webhook receiver: {@code /ok} answers 204, {@code /status/N} answers N (with {@code ?retry-after=S}),
     * {@code /scripted} answers the queued statuses then 200, {@code /slow} answers after 3 s.
     */
    static final class Receiver {
        final Deque<Integer> script = new ConcurrentLinkedDeque<>();
        final List<Received> received = Collections.synchronizedList(new ArrayList<>());
        private volatile Clock clock;

        void reset(Clock clock) {
            this.clock = clock;
            script.clear();
            received.clear();
        }

        List<Received> received() {
            synchronized (received) {
                return List.copyOf(received);
            }
        }

        void handle(HttpExchange exchange) throws IOException {
            try (exchange) {
                byte[] body = exchange.getRequestBody().readAllBytes();
                var headers = exchange.getRequestHeaders();
                boolean valid = WebhookSigner.verify(SECRET, headers.getFirst(WebhookSigner.SIGNATURE_HEADER), body,
                        clock.instant(), WebhookSigner.DEFAULT_TOLERANCE);
                String path = exchange.getRequestURI().getPath();
                received.add(new Received(path, headers.getFirst(WebhookSigner.IDEMPOTENCY_KEY_HEADER),
                        headers.getFirst("Content-Type"), new String(body, StandardCharsets.UTF_8), valid));
                int status = 204;
                if (path.equals("/slow")) {
                    sleep(Duration.ofSeconds(3));
                } else if (path.equals("/scripted")) {
                    Integer next = script.poll();
                    status = next == null ? 200 : next;
                } else if (path.startsWith("/status/")) {
                    status = Integer.parseInt(path.substring("/status/".length()));
                    String query = exchange.getRequestURI().getQuery();
                    if (query != null && query.startsWith("retry-after=")) {
                        exchange.getResponseHeaders().add("Retry-After", query.substring("retry-after=".length()));
                    }
                    if (status / 100 == 3) {
                        exchange.getResponseHeaders().add("Location", "/ok");
                    }
                }
                exchange.sendResponseHeaders(status, status == 204 ? -1 : 0);
                if (status != 204) {
                    exchange.getResponseBody().write("{\"ok\": false}".getBytes(StandardCharsets.UTF_8));
                }
            }
        }

        private static void sleep(Duration d) {
            try {
                Thread.sleep(d.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A clock the test moves by hand, so backoff can be tested without waiting. */
    static final class MutableClock extends Clock {
        private final AtomicReference<Instant> now;

        MutableClock(Instant start) {
            this.now = new AtomicReference<>(start);
        }

        void set(Instant instant) {
            now.set(instant);
        }

        void advance(Duration d) {
            now.updateAndGet(i -> i.plus(d));
        }

        @Override
        public Instant instant() {
            return now.get();
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    }

    /** Counts requests handed to the real client, to show refused targets never get one. */
    static final class CountingHttpClient extends HttpClient {
        private final HttpClient delegate;
        volatile int sends;

        CountingHttpClient(HttpClient delegate) {
            this.delegate = delegate;
        }

        @Override
        public Optional<java.net.CookieHandler> cookieHandler() {
            return delegate.cookieHandler();
        }

        @Override
        public Optional<Duration> connectTimeout() {
            return delegate.connectTimeout();
        }

        @Override
        public Redirect followRedirects() {
            return delegate.followRedirects();
        }

        @Override
        public Optional<java.net.ProxySelector> proxy() {
            return delegate.proxy();
        }

        @Override
        public javax.net.ssl.SSLContext sslContext() {
            return delegate.sslContext();
        }

        @Override
        public javax.net.ssl.SSLParameters sslParameters() {
            return delegate.sslParameters();
        }

        @Override
        public Optional<java.net.Authenticator> authenticator() {
            return delegate.authenticator();
        }

        @Override
        public Version version() {
            return delegate.version();
        }

        @Override
        public Optional<java.util.concurrent.Executor> executor() {
            return delegate.executor();
        }

        @Override
        public <T> java.net.http.HttpResponse<T> send(java.net.http.HttpRequest request,
                java.net.http.HttpResponse.BodyHandler<T> handler) throws IOException, InterruptedException {
            synchronized (this) {
                sends++;
            }
            return delegate.send(request, handler);
        }

        @Override
        public <T> java.util.concurrent.CompletableFuture<java.net.http.HttpResponse<T>> sendAsync(
                java.net.http.HttpRequest request, java.net.http.HttpResponse.BodyHandler<T> handler) {
            synchronized (this) {
                sends++;
            }
            return delegate.sendAsync(request, handler);
        }

        @Override
        public <T> java.util.concurrent.CompletableFuture<java.net.http.HttpResponse<T>> sendAsync(
                java.net.http.HttpRequest request, java.net.http.HttpResponse.BodyHandler<T> handler,
                java.net.http.HttpResponse.PushPromiseHandler<T> push) {
            synchronized (this) {
                sends++;
            }
            return delegate.sendAsync(request, handler, push);
        }
    }
}
