package io.finsent.ingest.service;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.finsent.local.testing.LocalStackTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/**
 * Slow clients cannot starve ingest (issue 16, item 2): clients that send their headers and then a body byte by
 * byte hold at most {@code finsent.http.max-in-flight-per-key} places per key and {@code finsent.http.max-in-flight} in
 * all; one more request is answered 429 with Retry-After, readiness is DOWN while every place is taken, metrics and
 * health still answer, and after {@code finsent.http.body-timeout} each slow request is answered 408 and its connection
 * closed. A client that hangs up frees its place at once. Small limits here (4 per key, 6 in all, 10 s: a CI run on a
 * loaded machine took over 4 s between the first slow push and the last check, and the first ones timed out under it).
 */
@QuarkusTest
@QuarkusTestResource(LocalStackTestResource.class)
@TestProfile(SlowClientsIntegrationTest.SmallLimits.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SlowClientsIntegrationTest {

    public static class SmallLimits implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("finsent.http.body-timeout", "10s", "finsent.http.max-in-flight", "6", "finsent.http.max-in-flight-per-key", "4");
        }
    }

    private static final String PUSH_KEY = "test-push-key";
    private static final String ADMIN_KEY = "test-admin-key";
    private static final String READ_KEY = "test-read-key";

    @TestHTTPResource("/")
    URI base;

    private final List<Socket> slow = new ArrayList<>();

    @AfterEach
    void hangUp() throws IOException {
        for (Socket s : slow) {
            s.close();
        }
        slow.clear();
        awaitInFlight(0);
    }

    /** A push whose headers promise 1,000 bytes of body, of which only the first arrives. */
    private Socket slowPush(String key) throws IOException {
        Socket socket = new Socket(base.getHost(), base.getPort());
        socket.setSoTimeout(1_000);
        OutputStream out = socket.getOutputStream();
        out.write(("POST /v1/items HTTP/1.1\r\nHost: " + base.getHost() + "\r\nX-API-Key: " + key
                + "\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n[").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        slow.add(socket);
        return socket;
    }

    private static Response push(String key) {
        String item = "{\"id\": \"" + UUID.randomUUID() + "\", \"source\": \"wire\", \"published_at\": \""
                + Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(60) + "\", \"text\": \"Acme wins a contract\"}";
        return given().header("X-API-Key", key).contentType("application/json").body(item).post("/v1/items");
    }

    private static double metric(String name) {
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + " ([0-9.eE+-]+)$").matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    private static void awaitInFlight(int n) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (metric("finsent_http_requests_in_flight") != n) {
            assertThat(System.nanoTime()).as("requests in flight to reach " + n).isLessThan(deadline);
            sleep(50);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** What the server sends until it closes the connection (fails if it does not within the deadline). */
    private static String readUntilClosed(Socket socket, long deadlineNanos) throws IOException {
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        byte[] buffer = new byte[4096];
        while (true) {
            try {
                int n = in.read(buffer);
                if (n < 0) {
                    return answer.toString(StandardCharsets.UTF_8);
                }
                answer.write(buffer, 0, n);
            } catch (SocketTimeoutException e) {
                assertThat(System.nanoTime()).as("connection closed by the server; so far: " + answer).isLessThan(deadlineNanos);
            }
        }
    }

    @Test
    void slowBodiesHoldBoundedPlacesForABoundedTime() throws Exception {
        // Given four pushes with one key whose bodies trickle in
        for (int i = 0; i < 4; i++) {
            slowPush(PUSH_KEY);
        }
        awaitInFlight(4);

        // Then a fifth push with that key is refused at once, while another key may still push
        Response refused = push(PUSH_KEY);
        assertThat(refused.statusCode()).as(refused.asString()).isEqualTo(429);
        assertThat(refused.header("Retry-After")).isEqualTo("1");
        assertThat(refused.jsonPath().getString("error")).contains("4 requests with this API key", "limit per key");
        push(ADMIN_KEY).then().statusCode(202);
        given().get("/q/health/ready").then().statusCode(200);

        // When two more slow pushes with a second key take the last places
        slowPush(ADMIN_KEY);
        slowPush(ADMIN_KEY);
        awaitInFlight(6);

        // Then every other request is refused, readiness is DOWN and says why, and metrics and liveness still answer
        Response full = push(READ_KEY);
        assertThat(full.statusCode()).isEqualTo(429);
        assertThat(full.jsonPath().getString("error")).contains("6 requests are in flight");
        given().get("/v1/feeds").then().statusCode(429);
        Response ready = given().get("/q/health/ready");
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(ready.asString()).contains("\"requests\"", "DOWN");
        given().get("/q/health/live").then().statusCode(200);
        assertThat(metric("finsent_http_requests_refused_total{reason=\"in_flight\"}")).isGreaterThanOrEqualTo(2);
        assertThat(metric("finsent_http_requests_refused_total{reason=\"in_flight_per_key\"}")).isGreaterThanOrEqualTo(1);

        // Then within the body timeout (10 s) and a margin, each slow push is answered 408 and its connection closed
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(25);
        for (Socket s : slow) {
            String answer = readUntilClosed(s, deadline);
            assertThat(answer).startsWith("HTTP/1.1 408").contains("finsent.http.body-timeout");
        }
        awaitInFlight(0);
        assertThat(metric("finsent_http_requests_refused_total{reason=\"body_timeout\"}")).isGreaterThanOrEqualTo(6);

        // And the service takes pushes again
        given().get("/q/health/ready").then().statusCode(200);
        push(PUSH_KEY).then().statusCode(202);
    }

    @Test
    void everyIngestCounterIsThereFromTheStartAtZero() {
        // This app polls no feed and dead-letters nothing: the counters that would count those exist all the same.
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).contains("ingest_items_published_total{kind=\"RSS\"} 0.0", "ingest_items_duplicates_total{kind=\"ATOM\"} 0.0",
                "ingest_dead_letters_total{stage=\"ingest.feed\"} 0.0");
    }

    @Test
    void aClientThatHangsUpFreesItsPlaceAtOnce() throws Exception {
        // Given four slow pushes with one key
        for (int i = 0; i < 4; i++) {
            slowPush(PUSH_KEY);
        }
        awaitInFlight(4);
        double timedOutBefore = metric("finsent_http_requests_refused_total{reason=\"body_timeout\"}");

        // When their clients hang up
        for (Socket s : slow) {
            s.close();
        }
        slow.clear();

        // Then their places are free before any body timeout, and the key may push again
        awaitInFlight(0);
        push(PUSH_KEY).then().statusCode(202);
        sleep(10_500); // past the body timeout: none of them was counted as timed out
        assertThat(metric("finsent_http_requests_refused_total{reason=\"body_timeout\"}")).isEqualTo(timedOutBefore);
    }

    @Test
    void aSlowPushWithoutAKeyIsRefusedWithoutWaitingForItsBody() throws Exception {
        // Given a slow push without a key
        Socket anonymous = new Socket(base.getHost(), base.getPort());
        slow.add(anonymous);
        anonymous.setSoTimeout(1_000);
        anonymous.getOutputStream().write("POST /v1/items HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10\r\n\r\n{"
                .getBytes(StandardCharsets.US_ASCII));

        // Then it is refused 401 for its missing key without waiting for its body
        String answer = readUntilStatus(anonymous);
        assertThat(answer).startsWith("HTTP/1.1 401");
    }

    private static String readUntilStatus(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        byte[] buffer = new byte[4096];
        while (!answer.toString(StandardCharsets.UTF_8).contains("\r\n\r\n")) {
            try {
                int n = in.read(buffer);
                if (n < 0) {
                    break;
                }
                answer.write(buffer, 0, n);
            } catch (SocketTimeoutException e) {
                assertThat(System.nanoTime()).as("an answer; so far: " + answer).isLessThan(deadline);
            }
        }
        return answer.toString(StandardCharsets.UTF_8);
    }
}
