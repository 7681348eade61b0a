package io.finsent.alerting.service;

import static io.finsent.alerting.service.TestSupport.ADMIN_KEY;
import static io.finsent.alerting.service.TestSupport.MINUTE;
import static io.finsent.alerting.service.TestSupport.newAnalyst;
import static io.finsent.alerting.service.TestSupport.scored;
import static io.finsent.alerting.service.TestSupport.subscribe;
import static io.finsent.alerting.service.TestSupport.unique;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.finsent.local.testing.LocalStackTestResource;
import io.finsent.local.testing.SharedLocalStack;
import io.finsent.schema.ScoredText;
import io.finsent.schema.Sentiment;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * {@code /v1/texts} against a real broker and PostgreSQL (texts stored by the scored text sink): an analyst reads the texts
 * of their topics only, newest first in pages with a cursor, filtered by label and words; an admin reads every text; bad
 * parameters are 400s that say what to send.
 */
@QuarkusTest
@QuarkusTestResource(LocalStackTestResource.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class TextsApiIntegrationTest {

    private static final String BOOTSTRAP = SharedLocalStack.get().bootstrapServers();
    private static final String MINE = unique("mine");
    private static final String THEIRS = unique("theirs");
    /** Long past: late for the trend topology (a dead letter there), so no other test's texts become late behind them. */
    private static final long AT = Instant.parse("2015-03-02T14:00:00Z").toEpochMilli() + (System.currentTimeMillis() % 1000) * MINUTE;
    private static final String FROM = Instant.ofEpochMilli(AT - MINUTE).toString();
    private static final String TO = Instant.ofEpochMilli(AT + 10 * MINUTE).toString();
    private static volatile TestSupport.Analyst analyst;

    /** Once for the class, from the first test (the app is not up yet in a static @BeforeAll). */
    @BeforeEach
    void texts() throws Exception {
        if (analyst != null) {
            return;
        }
        TestSupport.Analyst reader = newAnalyst(unique("reader"));
        subscribe(reader, "{\"topic\": \"" + MINE + "\"}");
        TestSupport.publishScored(BOOTSTRAP, text(MINE + "-1", MINE, AT, Sentiment.NEGATIVE, "Airline shares slump as fuel costs soar"));
        TestSupport.publishScored(BOOTSTRAP, text(MINE + "-2", MINE, AT + 1000, Sentiment.POSITIVE, "Airline raises its profit forecast"));
        TestSupport.publishScored(BOOTSTRAP, text(MINE + "-3", MINE, AT + 2000, Sentiment.NEGATIVE, "Pilots strike grounds the airline"));
        TestSupport.publishScored(BOOTSTRAP, text(THEIRS + "-1", THEIRS, AT + 3000, Sentiment.NEUTRAL, "Bank holds its annual meeting"));
        TestSupport.await("the four texts", Duration.ofSeconds(60), () -> given().header("X-Api-Key", ADMIN_KEY)
                .queryParam("from", FROM).queryParam("to", TO).queryParam("limit", 500).get("/v1/texts").then().statusCode(200).extract()
                .jsonPath().getList("texts.id", String.class).containsAll(List.of(MINE + "-1", MINE + "-2", MINE + "-3", THEIRS + "-1")));
        analyst = reader;
    }

    private static ScoredText text(String id, String topic, long at, Sentiment label, String body) {
        double pNegative = label == Sentiment.NEGATIVE ? 0.9 : 0.05;
        double pPositive = label == Sentiment.POSITIVE ? 0.9 : 0.05;
        ScoredText t = scored(id, topic, at, label, pNegative, pPositive);
        t.setUrl("https://news.example.com/" + id);
        t.setBody(body);
        return t;
    }

    private static JsonPath get(String key, Object... params) {
        var request = given().header("X-Api-Key", key).queryParam("from", FROM).queryParam("to", TO);
        for (int i = 0; i < params.length; i += 2) {
            request = request.queryParam((String) params[i], params[i + 1]);
        }
        return request.get("/v1/texts").then().statusCode(200).extract().jsonPath();
    }

    @Test
    void anAnalystReadsTheirTopicsTextsNewestFirstInPages() {
        JsonPath first = get(analyst.key(), "topic", MINE, "limit", 2);
        assertThat(first.getList("texts.id", String.class)).containsExactly(MINE + "-3", MINE + "-2");
        assertThat(first.getString("texts[0].url")).isEqualTo("https://news.example.com/" + MINE + "-3");
        assertThat(first.getString("texts[0].body")).isEqualTo("Pilots strike grounds the airline");
        assertThat(first.getString("texts[0].label")).isEqualTo("NEGATIVE");
        assertThat(first.getDouble("texts[0].p_negative")).isEqualTo(0.9);
        assertThat(first.getString("texts[0].published_at")).isEqualTo(Instant.ofEpochMilli(AT + 2000).toString());
        assertThat(first.getList("texts[0].topics", String.class)).containsExactly(MINE);
        JsonPath second = get(analyst.key(), "topic", MINE, "limit", 2, "cursor", first.getString("next_cursor"));
        assertThat(second.getList("texts.id", String.class)).containsExactly(MINE + "-1");
        assertThat(second.getString("next_cursor")).isNull();

        // Without a topic: every text of their subscriptions, none of another topic
        assertThat(get(analyst.key(), "limit", 500).getList("texts.id", String.class)).contains(MINE + "-1").doesNotContain(THEIRS + "-1");
        // Filters: label, words (stemmed), both
        assertThat(get(analyst.key(), "topic", MINE, "label", "negative").getList("texts.id", String.class))
                .containsExactly(MINE + "-3", MINE + "-1");
        assertThat(get(analyst.key(), "topic", MINE, "q", "forecasts raised").getList("texts.id", String.class)).containsExactly(MINE + "-2");
        assertThat(get(analyst.key(), "topic", MINE, "q", "airline -strike", "label", "NEGATIVE").getList("texts.id", String.class))
                .containsExactly(MINE + "-1");
        assertThat(get(analyst.key(), "topic", MINE, "q", "&|!:*()").getList("texts")).isEmpty();

        // One text
        given().header("X-Api-Key", analyst.key()).get("/v1/texts/" + MINE + "-2").then().statusCode(200)
                .body("id", org.hamcrest.Matchers.equalTo(MINE + "-2"), "source", org.hamcrest.Matchers.equalTo("test"));
    }

    @Test
    void anotherTopicsTextsAreRefusedToAnAnalystAndReadByAnAdmin() {
        given().header("X-Api-Key", analyst.key()).queryParam("topic", THEIRS).get("/v1/texts").then().statusCode(403)
                .body("error", containsString("you do not subscribe to topic '" + THEIRS + "'"));
        given().header("X-Api-Key", analyst.key()).get("/v1/texts/" + THEIRS + "-1").then().statusCode(403)
                .body("error", containsString("of no topic you subscribe to"));
        assertThat(get(ADMIN_KEY, "topic", THEIRS).getList("texts.id", String.class)).containsExactly(THEIRS + "-1");
        given().header("X-Api-Key", ADMIN_KEY).get("/v1/texts/" + THEIRS + "-1").then().statusCode(200)
                .body("body", org.hamcrest.Matchers.equalTo("Bank holds its annual meeting"));
        given().header("X-Api-Key", ADMIN_KEY).get("/v1/texts/" + THEIRS + "-1?run=some-replay").then().statusCode(404)
                .body("error", containsString("no text " + THEIRS + "-1 in run some-replay"));
        given().get("/v1/texts").then().statusCode(401);
    }

    @Test
    void badParametersAreClear400s() {
        String key = analyst.key();
        String nulCursor = Base64.getUrlEncoder().encodeToString((AT + ":a\u0000b").getBytes(StandardCharsets.UTF_8));
        String hugeTime = Base64.getUrlEncoder().encodeToString((Long.MAX_VALUE + ":x").getBytes(StandardCharsets.UTF_8));
        Object[][] cases = {
                {"limit", "0", "limit must be 1 to 500"},
                {"limit", "501", "limit must be 1 to 500"},
                {"label", "bearish", "label must be negative, neutral or positive"},
                {"cursor", "not-a-cursor!", "cursor is not a next_cursor this API gave"},
                {"cursor", nulCursor, "cursor is not a next_cursor this API gave"},
                {"cursor", hugeTime, "cursor is not a next_cursor this API gave"},
                {"q", "word ".repeat(60), "more than 200"},
                {"category", "c".repeat(65), "category is longer than 64"},
                {"from", "yesterday", "'from' is not an ISO-8601 time"},
        };
        for (Object[] c : cases) {
            given().header("X-Api-Key", key).queryParam((String) c[0], c[1]).get("/v1/texts").then().statusCode(400)
                    .body("error", containsString((String) c[2]));
        }
        given().header("X-Api-Key", key).get("/v1/texts/no-such-text").then().statusCode(404).body("error", containsString("no text no-such-text"));
    }

    @Test
    void anExplanationIsReadableTextsOnlyAndSaysWhatIsMissingWithoutAScorer() {
        // the checks of the text come first: unknown 404, another analyst's topic 403
        given().header("X-Api-Key", analyst.key()).get("/v1/texts/no-such-text/explanation").then().statusCode(404);
        given().header("X-Api-Key", analyst.key()).get("/v1/texts/" + THEIRS + "-1/explanation").then().statusCode(403);
        given().get("/v1/texts/" + MINE + "-1/explanation").then().statusCode(401);
        // this service has no scorer to ask (the whole stack's test, through ./monitor demo --check, has one)
        given().header("X-Api-Key", analyst.key()).get("/v1/texts/" + MINE + "-1/explanation").then().statusCode(503)
                .body("error", containsString("alerting.explain.scorer-url"));
    }
}
