package io.finsent.ingest.service;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import java.util.Properties;

import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.finsent.ingest.ItemIds;
import io.finsent.local.testing.LocalStackTestResource;
import io.finsent.local.testing.SharedLocalStack;
import org.apache.avro.generic.GenericRecord;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/** POST /v1/items against the real broker: 202 with ids, each id published once, and every refusal with its status and reason. */
@QuarkusTest
@QuarkusTestResource(LocalStackTestResource.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PushApiIntegrationTest {

    @TestHTTPResource("/")
    URI base;

    private static final String PUSH_KEY = "test-push-key";
    private static final String NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(60).toString();

    private static String item(String id, String text) {
        return "{\"id\": \"" + id + "\", \"source\": \"wire\", \"published_at\": \"" + NOW + "\", \"title\": \"<b>" + text
                + "</b>\", \"body\": \"" + text + " $AAPL\", \"tickers\": [\"msft\"]}";
    }

    private static Response push(String key, byte[] body) {
        return given().header("X-API-Key", key).contentType("application/json").body(body).post("/v1/items");
    }

    private static Response push(String body) {
        return push(PUSH_KEY, body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void oneItemIsAcceptedWithItsIdAndPublishedKeyedByIt() throws Exception {
        String id = "one-" + UUID.randomUUID();
        String expected = ItemIds.ofNativeId("pusher/wire", id);

        push(item(id, "Acme wins contract")).then().statusCode(202).body("ids", equalTo(List.of(expected))).body("published", equalTo(1));

        var raw = TopicReader.awaitByKey(TopicReader.RAW_TEXT, r -> r.containsKey(expected));
        ConsumerRecord<String, byte[]> record = raw.get(expected).get(0);
        GenericRecord text = TopicReader.decode("RawText", record.value());
        assertThat(TopicReader.text(text, "title")).isEqualTo("Acme wins contract");
        assertThat(TopicReader.texts(text, "tickers")).containsExactly("MSFT", "AAPL");
        assertThat(TopicReader.text(text, "source")).isEqualTo("pusher/wire");
        assertThat(record.timestamp()).isEqualTo(Instant.parse(NOW).toEpochMilli());
    }

    @Test
    void aBatchSentTwiceIsPublishedOnce() throws Exception {
        String a = "a-" + UUID.randomUUID();
        String b = "b-" + UUID.randomUUID();
        String batch = "[" + item(a, "first") + ", " + item(b, "second") + "]";

        push(batch).then().statusCode(202).body("ids", hasSize(2)).body("published", equalTo(2)).body("duplicates", equalTo(0));
        push(batch).then().statusCode(202).body("ids", hasSize(2)).body("published", equalTo(0)).body("duplicates", equalTo(2));

        String idA = ItemIds.ofNativeId("pusher/wire", a);
        String idB = ItemIds.ofNativeId("pusher/wire", b);
        var raw = TopicReader.awaitByKey(TopicReader.RAW_TEXT, r -> r.containsKey(idA) && r.containsKey(idB));
        assertThat(raw.get(idA)).hasSize(1);
        assertThat(raw.get(idB)).hasSize(1);
    }

    @Inject
    RawTextPublisher publisher;

    @Test
    void afterARestartTheHorizonIsSeededFromTheRawTopicSoNothingIsPublishedTwice() throws Exception {
        String nativeId = "seed-" + UUID.randomUUID();
        String id = ItemIds.ofNativeId("pusher/wire", nativeId);
        // Given the item is in text.raw (published before this service started) ...
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedLocalStack.get().bootstrapServers());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(TopicReader.RAW_TEXT, id, new byte[] {1})).get(30, TimeUnit.SECONDS);
        }

        // ... when the service reads its horizon back at start ...
        assertThat(publisher.seedFromRawTopic(java.time.Duration.ofSeconds(30))).isPositive();

        // ... then the client's re-send is a duplicate.
        push(item(nativeId, "sent before the restart")).then().statusCode(202).body("published", equalTo(0)).body("duplicates", equalTo(1));
        assertThat(TopicReader.byKey(TopicReader.RAW_TEXT).get(id)).hasSize(1);
    }

    @Test
    void withoutAKeyOrWithAnUnknownOneItIs401AndWithoutThePushRole403() {
        given().contentType("application/json").body(item("x", "y")).post("/v1/items").then().statusCode(401)
                .header("WWW-Authenticate", "Bearer").body("error", containsString("no API key"));
        push("wrong-key", item("x", "y").getBytes(StandardCharsets.UTF_8)).then().statusCode(401).body("error", containsString("unknown API key"));
        push("test-read-key", item("x", "y").getBytes(StandardCharsets.UTF_8)).then().statusCode(403).body("error", containsString("push role"));
        given().header("Authorization", "Bearer " + PUSH_KEY).contentType("application/json").body(item("bearer-" + UUID.randomUUID(), "y"))
                .post("/v1/items").then().statusCode(202);
    }

    static Stream<Arguments> badBodies() {
        String ok = "\"source\": \"s\", \"published_at\": \"" + NOW + "\"";
        byte[] latin1 = ("{" + ok + ", \"body\": \"caf\u00e9\"}").getBytes(StandardCharsets.ISO_8859_1);
        return Stream.of(
                Arguments.of("truncated JSON", "{\"a\": ".getBytes(StandardCharsets.UTF_8), "not valid JSON"),
                Arguments.of("two JSON values", "{} {}".getBytes(StandardCharsets.UTF_8), "not valid JSON"),
                Arguments.of("duplicate keys", ("{" + ok + ", \"body\": \"a\", \"body\": \"b\"}").getBytes(StandardCharsets.UTF_8), "Duplicate field"),
                Arguments.of("not UTF-8", latin1, "not valid JSON"),
                Arguments.of("empty body", new byte[0], "empty body"),
                Arguments.of("empty batch", "[]".getBytes(StandardCharsets.UTF_8), "empty batch"),
                Arguments.of("a number", "42".getBytes(StandardCharsets.UTF_8), "must be a JSON object"),
                Arguments.of("nesting bomb", ("[".repeat(3000) + "]".repeat(3000)).getBytes(StandardCharsets.UTF_8), "nesting depth"),
                Arguments.of("missing source and time", "{\"body\": \"x\"}".getBytes(StandardCharsets.UTF_8), "required"),
                Arguments.of("bad timestamp", "{\"source\": \"s\", \"published_at\": \"2015-02-30T00:00:00Z\", \"body\": \"x\"}".getBytes(StandardCharsets.UTF_8), "not an ISO-8601"),
                Arguments.of("future timestamp", "{\"source\": \"s\", \"published_at\": \"2999-01-01T00:00:00Z\", \"body\": \"x\"}".getBytes(StandardCharsets.UTF_8), "in the future"),
                Arguments.of("unpaired surrogate", ("{" + ok + ", \"body\": \"x\\udbff y\"}").getBytes(StandardCharsets.UTF_8), "lone surrogate"),
                Arguments.of("HTML only", ("{" + ok + ", \"body\": \"<img src=x><br/>\"}").getBytes(StandardCharsets.UTF_8), "no text"),
                Arguments.of("one bad item in a batch", ("[{" + ok + ", \"body\": \"fine\"}, {" + ok + "}]").getBytes(StandardCharsets.UTF_8), "1 of 2 items are invalid"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badBodies")
    void aBadBodyIs400WithTheReasonAndPublishesNothing(String name, byte[] body, String reason) {
        Response response = push(PUSH_KEY, body);

        response.then().statusCode(400);
        assertThat(response.asString()).as(name).contains(reason);
    }

    @Test
    void perFieldErrorsNameTheItemAndTheField() {
        push("[{\"source\": \"s\", \"published_at\": \"" + NOW + "\", \"body\": \"ok\"}, {\"source\": 5, \"published_at\": \"soon\", \"body\": \"x\"}]")
                .then().statusCode(400)
                .body("items[0].index", equalTo(1))
                .body("items[0].errors.field", hasItem("source"))
                .body("items[0].errors.field", hasItem("published_at"));
    }

    @Test
    void bodiesAndBatchesPastTheLimitsAre413() {
        // Bodies of 2 and 10 MB are refused on their Content-Length alone, before a byte of them is sent.
        for (int bytes : new int[] {2 * 1024 * 1024, 10 * 1024 * 1024}) {
            assertThat(answerToHeadersOnly("POST /v1/items HTTP/1.1\r\nHost: localhost\r\nX-API-Key: " + PUSH_KEY
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + bytes + "\r\n\r\n"))
                    .startsWith("HTTP/1.1 413").contains("a body of " + bytes + " bytes, more than the limit of 1048576 (ingest.push.max-body-bytes)");
        }
        // One sent chunked (no Content-Length) is refused while it is read: a 413, or, when the service answers and
        // closes the connection before the client has sent it all, a connection closed under the client.
        try {
            given().header("X-API-Key", PUSH_KEY).contentType("application/json").body(new ByteArrayInputStream(new byte[3 * 1024 * 1024]))
                    .post("/v1/items").then().statusCode(413);
        } catch (Exception e) {
            assertThat(rootCause(e)).as("refused while sending").isInstanceOf(java.net.SocketException.class);
        }
        String many = "[" + String.join(",", java.util.Collections.nCopies(1001, "{}")) + "]";
        push(many).then().statusCode(413).body("error", containsString("1001 items"));
    }

    @Test
    void malformedRequestHeadsAreRefusedAndTheServiceStaysReady() {
        // A request line past 4,096 characters, 30 KB of headers, a request line that is not HTTP, a bad Content-Length
        assertThat(answerToHeadersOnly("GET /v1/feeds/status?url=" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: localhost\r\n\r\n"))
                .matches("(?s)HTTP/1\\.[01] 414 .*");
        assertThat(answerToHeadersOnly("GET /v1/feeds HTTP/1.1\r\nHost: localhost\r\nX-Padding: " + "p".repeat(30_000) + "\r\n\r\n"))
                .matches("(?s)HTTP/1\\.[01] 431 .*");
        assertThat(answerToHeadersOnly("GARBAGE\r\n\r\n")).matches("(?s)HTTP/1\\.[01] 400 .*");
        assertThat(answerToHeadersOnly("POST /v1/items HTTP/1.1\r\nHost: localhost\r\nX-API-Key: " + PUSH_KEY
                + "\r\nContent-Length: twelve\r\n\r\n")).matches("(?s)HTTP/1\\.[01] 400 .*");
        // Quarkus answers these from Vert.x's HTTP decoder, with an empty body: it has no hook for the answer's text
        // (quarkusio/quarkus#55082).
        given().get("/q/health/ready").then().statusCode(200);
        push(item("after-malformed-" + UUID.randomUUID(), "Acme wins")).then().statusCode(202);
    }

    private static Throwable rootCause(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause;
    }

    /** What the service answers to a request's head, its body not sent, until it closes the connection. */
    private String answerToHeadersOnly(String head) {
        try (java.net.Socket socket = new java.net.Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void theOpenApiDocumentDescribesThePushApi() {
        given().get("/q/openapi?format=json").then().statusCode(200).body(containsString("/v1/items")).body(containsString("429"));
    }

    @Test
    void whenKafkaIsAwayAndItemsPileUpFurtherPushesAre429AndTheFirstIsStillPublished() throws Exception {
        var broker = SharedLocalStack.get().kafka();
        String a = "bp-" + UUID.randomUUID();
        String batch = "[" + item(a + "-1", "one") + "," + item(a + "-2", "two") + "," + item(a + "-3", "three") + "]";
        // The producer knows the partitions before the broker goes away, as in any running service.
        push(item(a + "-warm", "warm")).then().statusCode(202);
        broker.kill();
        try {
            CompletableFuture<Response> first = CompletableFuture.supplyAsync(() -> push(batch));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            Response second;
            do {
                Thread.sleep(200);
                second = push(item("bp-late-" + UUID.randomUUID(), "late"));
            } while (second.statusCode() != 429 && System.nanoTime() < deadline);

            second.then().statusCode(429).header("Retry-After", "1").body("error", containsString("waiting for Kafka"));
            broker.restart();
            // The first push is acknowledged once the broker is back, or answered 503 if its sends gave up first:
            // then the sender sends the same batch again, and nothing is published twice.
            Response answer = first.get(60, TimeUnit.SECONDS);
            while (answer.statusCode() == 503 && System.nanoTime() < deadline + TimeUnit.SECONDS.toNanos(60)) {
                Thread.sleep(500);
                answer = push(batch);
            }
            answer.then().statusCode(202).body("ids", hasSize(3));
            for (String n : List.of("-1", "-2", "-3")) {
                String id = ItemIds.ofNativeId("pusher/wire", a + n);
                assertThat(TopicReader.awaitByKey(TopicReader.RAW_TEXT, r -> r.containsKey(id)).get(id)).as(id).hasSize(1);
            }
        } finally {
            if (!broker.isAlive()) {
                broker.restart();
            }
        }
    }
}
