package io.finsent.scorer.replay;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.finsent.common.Topics;
import io.finsent.local.testing.LocalStackTestResource;
import io.finsent.local.testing.SharedLocalStack;
import io.finsent.replay.RunTopics;
import io.finsent.replay.ScoredRecords;
import io.finsent.schema.RawText;
import io.finsent.schema.SourceKind;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

/**
 * The replay API against a real broker: a replay of a range of text.raw started over REST runs to completion with
 * every text of the range scored once in the run's topic; a replay cancelled part-way and started again with the same
 * run id resumes, still scoring each text once; a second replay while one runs is refused (409); bad input is 400
 * with the reason; no key or a wrong one is 401. Each test replays its own range of event time, years before the
 * texts other tests of this JVM write to text.raw.
 */
@QuarkusTest
@QuarkusTestResource(LocalStackTestResource.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ScorerReplayApiIntegrationTest {

    private static final String KEY = "test-admin-key";
    private static final String BOOTSTRAP = SharedLocalStack.get().bootstrapServers();
    private static final String[] TEXTS = {"Acme raises its full-year guidance .", "Globex misses profit estimates .",
            "Initech announces a share buyback .", "Acme cuts 1,200 jobs .", "Globex wins a EUR 40 mn contract ."};

    private final String id = UUID.randomUUID().toString().substring(0, 8);

    @Test
    void aReplayStartedOverRestScoresEveryTextOfItsRangeOnce() {
        Instant from = Instant.parse("2003-01-01T10:00:00Z");
        Instant to = from.plus(Duration.ofMinutes(30));
        List<String> ids = produce("done-" + id, from, to, 24);

        Response started = post(KEY, body("api-done-" + id, from, to, ", \"threads\": 2, \"max_batch\": 8"));
        started.then().statusCode(202).header("Location", org.hamcrest.Matchers.endsWith("/v1/replays/api-done-" + id)).body("state", equalTo("running"));
        JsonPath done = awaitState("api-done-" + id, s -> !s.equals("running"));

        assertThat(done.getString("state")).as(done.prettify()).isEqualTo("completed");
        assertThat(done.getLong("done")).isEqualTo(done.getLong("total")).isGreaterThanOrEqualTo(ids.size());
        assertThat(done.getLong("report.scored")).isGreaterThanOrEqualTo(ids.size());
        assertThat(done.getString("finished_at")).isNotNull();
        assertThat(ScoredRecords.timesById(BOOTSTRAP, RunTopics.scored("api-done-" + id), from, to))
                .as("each text of the range once").isEqualTo(once(ids));
        get(KEY, "").then().statusCode(200).body("run_id", org.hamcrest.Matchers.hasItem("api-done-" + id));
    }

    @Test
    void aCancelledReplayResumesUnderTheSameRunIdAndAnotherWaitsItsTurn() {
        Instant from = Instant.parse("2003-02-01T10:00:00Z");
        Instant to = from.plus(Duration.ofMinutes(30));
        List<String> ids = produce("cut-" + id, from, to, 160);
        String run = "api-cut-" + id;

        // Small batches: many commits, so progress is seen part-way
        post(KEY, body(run, from, to, ", \"max_batch\": 2")).then().statusCode(202);
        awaitState(run, s -> true, status -> status.getLong("done") > 0 || !status.getString("state").equals("running"));
        post(KEY, body("api-other-" + id, from, to, "")).then().statusCode(409).body("error", containsString("replay " + run + " is running"));
        delete(KEY, run).then().statusCode(202).body("cancel_requested", equalTo(true));
        JsonPath cancelled = awaitState(run, s -> !s.equals("running"));
        assertThat(cancelled.getString("state")).as(cancelled.prettify()).isEqualTo("cancelled");
        assertThat(cancelled.getLong("done")).isLessThan(cancelled.getLong("total"));
        delete(KEY, run).then().statusCode(409).body("error", containsString("not running"));

        post(KEY, body(run, from, to, ", \"max_batch\": 64")).then().statusCode(202);
        JsonPath resumed = awaitState(run, s -> !s.equals("running"));

        assertThat(resumed.getString("state")).as(resumed.prettify()).isEqualTo("completed");
        assertThat(resumed.getBoolean("report.resumed")).isTrue();
        assertThat(ScoredRecords.timesById(BOOTSTRAP, RunTopics.scored(run), from, to)).as("each text once, though stopped half-way")
                .isEqualTo(once(ids));
    }

    @Test
    void badInputIsRefusedWithTheReason() {
        String range = "\"from\": \"2003-03-01T00:00:00Z\", \"to\": \"2003-03-02T00:00:00Z\"";
        Map<String, String> refused = new java.util.LinkedHashMap<>();
        refused.put("{\"run_id\": ", "not valid JSON");
        refused.put("[1, 2]", "must be a JSON object");
        refused.put("", "must be a JSON object");
        refused.put("{\"run_id\": \"r1\", " + range + ", \"file\": \"/etc/passwd\"}", "unknown field 'file'");
        refused.put("{" + range + "}", "'run_id' is required");
        refused.put("{\"run_id\": \"live\", " + range + "}", "run id 'live' is the live pipeline's");
        refused.put("{\"run_id\": \"a|b\", " + range + "}", "run id 'a|b' must be");
        refused.put("{\"run_id\": \"r1\", \"from\": \"2003-03-02T00:00:00Z\", \"to\": \"2003-03-01T00:00:00Z\"}", "must be before");
        refused.put("{\"run_id\": \"r1\", \"from\": \"yesterday\", \"to\": \"2003-03-01T00:00:00Z\"}", "from 'yesterday' is not an ISO-8601 instant");
        refused.put("{\"run_id\": \"r1\", " + range + ", \"threads\": 0}", "--threads must be between 1 and 64");
        refused.put("{\"run_id\": \"r1\", " + range + ", \"threads\": 65}", "--threads must be between 1 and 64");
        refused.put("{\"run_id\": \"r1\", " + range + ", \"threads\": \"two\"}", "'threads' must be a whole number");
        refused.put("{\"run_id\": \"r1\", " + range + ", \"grace\": \"10 minutes\"}", "not an ISO-8601 duration");
        // durations and times that overflow millisecond arithmetic are refused before the run starts, not failed after a 202
        for (String grace : List.of("PT2562047788015215H", "PT876600001H", "P36601D", "-PT1S")) {
            refused.put("{\"run_id\": \"r1\", " + range + ", \"grace\": \"" + grace + "\"}", "--grace must be zero or more");
        }
        refused.put("{\"run_id\": \"r1\", \"from\": \"-1000000000-01-01T00:00:00Z\", \"to\": \"+1000000000-12-31T23:59:59Z\"}", "must lie from");
        refused.put("{\"run_id\": \"r1\", \"from\": \"1969-12-31T00:00:00Z\", \"to\": \"2003-03-01T00:00:00Z\"}", "must lie from");
        refused.put("{\"run_id\": \"r1\", \"from\": \"2003-03-01T00:00:00Z\", \"to\": \"+10000-01-01T00:00:00Z\"}", "must lie from");
        // control characters anywhere in the body, as for every API
        for (String bad : List.of("\\u0000", "\\u001b", "\\ud800")) {
            refused.put("{\"run_id\": \"r1" + bad + "\", " + range + "}", "field 'run_id' holds");
            refused.put("{\"run_id\": \"r1\", " + range + ", \"grace\": \"PT1M" + bad + "\"}", "field 'grace' holds");
        }
        refused.forEach((body, reason) -> post(KEY, body).then().statusCode(400).body("error", containsString(reason)));

        get(KEY, "/never-ran-" + id).then().statusCode(404).body("error", containsString("no replay 'never-ran-" + id + "'"));
        delete(KEY, "never-ran-" + id).then().statusCode(404);
    }

    @Test
    void everyCallNeedsTheAdminKey() {
        String body = "{\"run_id\": \"r1\", \"from\": \"2003-03-01T00:00:00Z\", \"to\": \"2003-03-02T00:00:00Z\"}";
        for (String key : new String[] {null, "", "not-the-key"}) {
            post(key, body).then().statusCode(401).body("error", containsString("key"));
            get(key, "").then().statusCode(401);
            get(key, "/r1").then().statusCode(401);
            delete(key, "r1").then().statusCode(401);
        }
    }

    private static String body(String run, Instant from, Instant to, String more) {
        return "{\"run_id\": \"" + run + "\", \"from\": \"" + from + "\", \"to\": \"" + to + "\"" + more + "}";
    }

    private static Response post(String key, String body) {
        return request(key).contentType("application/json").body(body).post("/v1/replays");
    }

    private static Response get(String key, String path) {
        return request(key).get("/v1/replays" + path);
    }

    private static Response delete(String key, String run) {
        return request(key).delete("/v1/replays/" + run);
    }

    private static io.restassured.specification.RequestSpecification request(String key) {
        return key == null ? given() : given().header("X-Api-Key", key);
    }

    private static JsonPath awaitState(String run, Predicate<String> state) {
        return awaitState(run, state, status -> true);
    }

    /** Polls the run's status until its state and the status match, for up to 3 minutes. */
    private static JsonPath awaitState(String run, Predicate<String> state, Predicate<JsonPath> status) {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        JsonPath last = null;
        while (System.nanoTime() < deadline) {
            last = get(KEY, "/" + run).then().statusCode(200).extract().jsonPath();
            if (state.test(last.getString("state")) && status.test(last)) {
                return last;
            }
            sleep(200);
        }
        throw new AssertionError("replay " + run + " did not get there within 3 minutes: " + (last == null ? "" : last.prettify()));
    }

    /** {@code n} texts spread over {@code [from, to)}, keyed by id, timed at publication; @return their ids */
    private static List<String> produce(String prefix, Instant from, Instant to, int n) {
        List<String> ids = new ArrayList<>();
        long step = Duration.between(from, to).toMillis() / n;
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, BOOTSTRAP,
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < n; i++) {
                Instant at = from.plusMillis(i * step);
                RawText text = RawText.newBuilder().setId(prefix + "-" + i).setSourceKind(SourceKind.ARCHIVE).setSource("replay-api-test")
                        .setPublishedAt(at).setIngestedAt(at).setBody(TEXTS[i % TEXTS.length] + " #" + i).build();
                producer.send(new ProducerRecord<>(Topics.RAW_TEXT.name(), null, at.toEpochMilli(), text.getId(),
                        Topics.RAW_TEXT.valueSerde().serializer().serialize(Topics.RAW_TEXT.name(), text)));
                ids.add(text.getId());
            }
        }
        return ids;
    }

    private static Map<String, Integer> once(List<String> ids) {
        Map<String, Integer> once = new java.util.TreeMap<>();
        ids.forEach(i -> once.put(i, 1));
        return once;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
