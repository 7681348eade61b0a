package io.finsent.alerting.service;

import static io.finsent.alerting.service.TestSupport.MINUTE;
import static io.finsent.alerting.service.TestSupport.newAnalyst;
import static io.finsent.alerting.service.TestSupport.unique;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.finsent.alerting.backtest.Backtest;
import io.finsent.alerting.backtest.BacktestReport;
import io.finsent.alerting.backtest.BacktestReportWriter;
import io.finsent.alerting.rules.RuleKind;
import io.finsent.alerting.rules.RuleParams;
import io.finsent.alerting.store.AlertingStore;
import io.finsent.alerting.store.TrendWindowTable;
import io.finsent.alerting.trends.TrendPoint;
import io.finsent.local.testing.LocalStackTestResource;
import io.finsent.local.testing.SharedLocalStack;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * {@code POST /v1/backtests} answers with exactly the report {@code Backtest.run} makes of the run's stored windows (as
 * {@code ./monitor backtest --json} or {@code --csv} prints it), rule sets side by side, and refuses bad input with its
 * status and reason.
 */
@QuarkusTest
@QuarkusTestResource(LocalStackTestResource.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BacktestApiIntegrationTest {

    private static final String JDBC = SharedLocalStack.get().jdbcUrl();
    private static final String USER = SharedLocalStack.get().jdbcUser();
    private static final long T0 = Instant.parse("2025-05-05T09:00:00Z").toEpochMilli();
    private static final String STRICT = "{\"negativeShareSigmas\": 20, \"volumeFactor\": 100}";
    private static final ObjectMapper JSON = new ObjectMapper();

    private String key;

    @BeforeEach
    void analyst() {
        key = newAnalyst("bettina").key();
    }

    private Response backtest(String body) {
        return given().header("X-Api-Key", key).contentType("application/json").body(body).post("/v1/backtests");
    }

    @Test
    void theAnswerIsTheBacktestOfTheStoredWindowsWithRuleSetsSideBySide() throws Exception {
        // Given a run whose first topic surges in minutes 15-17 while the second stays calm
        String run = unique("bt-run");
        String surging = unique("surging");
        String calm = unique("calm");
        List<TrendPoint> windows = TestSupport.surgeAndCalm(surging, calm, T0);
        TestSupport.insertWindows(JDBC, USER, run, windows);

        // When the defaults and a strict set are backtested over the whole run
        Response answer = backtest("{\"run\": \"" + run + "\", \"rule_sets\": {\"strict\": " + STRICT + "}}");

        // Then the answer is, key for key, what Backtest.run makes of the same windows
        answer.then().statusCode(200).contentType("application/json");
        BacktestReport expected = Backtest.run(run, windows, Map.of("default", RuleParams.defaults(), "strict", RuleParams.fromJson(STRICT)));
        assertThat(JSON.readTree(answer.asString())).isEqualTo(JSON.readTree(BacktestReportWriter.json(expected)));
        // ... in which the defaults fire every rule once on the surging topic and nothing on the calm one
        JsonNode report = JSON.readTree(answer.asString());
        assertThat(report.get("runId").asText()).isEqualTo(run);
        assertThat(report.get("windows").asInt()).isEqualTo(60);
        JsonNode defaults = report.at("/ruleSets/0");
        assertThat(defaults.get("name").asText()).isEqualTo("default");
        assertThat(topic(defaults, surging).get("fired")).isEqualTo(JSON.readTree(
                "{\"NEGATIVE_SHARE\": 1, \"SCORE_DROP\": 1, \"VOLUME_SPIKE\": 1}"));
        assertThat(states(topic(defaults, surging))).containsSubsequence("PENDING", "FIRING", "RESOLVED");
        assertThat(topic(defaults, calm).get("fired")).isEqualTo(JSON.readTree("{\"NEGATIVE_SHARE\": 0, \"SCORE_DROP\": 0, \"VOLUME_SPIKE\": 0}"));
        assertThat(topic(defaults, calm).get("timeline")).isEmpty();
        // ... and the strict set, beside it, fires only the score drop
        JsonNode strict = report.at("/ruleSets/1");
        assertThat(strict.get("name").asText()).isEqualTo("strict");
        assertThat(strict.get("ruleSetId").asText()).isEqualTo(RuleParams.fromJson(STRICT).id());
        assertThat(topic(strict, surging).get("fired")).isEqualTo(JSON.readTree("{\"NEGATIVE_SHARE\": 0, \"SCORE_DROP\": 1, \"VOLUME_SPIKE\": 0}"));
        assertThat(topic(strict, surging).at("/timeline/0/windowStart").asLong())
                .isEqualTo(topic(defaults, surging).at("/timeline/0/windowStart").asLong()).isEqualTo(T0 + 15 * MINUTE);

        // When the same is asked as CSV, then the rows are those of ./monitor backtest --csv
        String csv = given().header("X-Api-Key", key).accept("text/csv").contentType("application/json")
                .body("{\"run\": \"" + run + "\", \"rule_sets\": {\"strict\": " + STRICT + "}}").post("/v1/backtests")
                .then().statusCode(200).contentType(containsString("text/csv")).extract().asString();
        assertThat(csv).isEqualTo(BacktestReportWriter.csv(expected)).startsWith("rule_set,rule_set_id,topic,rule,windows,fired\n")
                .contains("default,default," + surging + ",NEGATIVE_SHARE,30,1\n").contains("strict," + RuleParams.fromJson(STRICT).id() + ","
                        + surging + ",NEGATIVE_SHARE,30,0\n");
        assertThat(csv.lines()).hasSize(1 + 2 * 2 * RuleKind.values().length);
    }

    @Test
    void aRangeBacktestsOnlyTheWindowsStartingInIt() throws Exception {
        String run = unique("bt-range");
        List<TrendPoint> windows = TestSupport.surgeAndCalm(unique("surging"), unique("calm"), T0);
        TestSupport.insertWindows(JDBC, USER, run, windows);
        Instant from = Instant.ofEpochMilli(T0);
        Instant to = Instant.ofEpochMilli(T0 + 10 * MINUTE);

        Response answer = backtest("{\"run\": \"" + run + "\", \"from\": \"" + from + "\", \"to\": \"" + to + "\"}");

        answer.then().statusCode(200);
        List<TrendPoint> inRange = windows.stream().filter(w -> w.windowStart() < to.toEpochMilli()).toList();
        BacktestReport expected = Backtest.run(run, inRange, Map.of("default", RuleParams.defaults()));
        assertThat(JSON.readTree(answer.asString())).isEqualTo(JSON.readTree(BacktestReportWriter.json(expected)));
        assertThat(expected.windows()).isEqualTo(20);
        assertThat(expected.ruleSets().get(0).fired()).isZero();
    }

    @Test
    void badInputIsRefusedWithItsStatusAndReason() throws Exception {
        String run = unique("bt-bad");
        TestSupport.insertWindows(JDBC, USER, run, TestSupport.surgeAndCalm(unique("s"), unique("c"), T0));
        String ok = "\"run\": \"" + run + "\"";

        given().contentType("application/json").body("{" + ok + "}").post("/v1/backtests").then().statusCode(401)
                .body("error", containsString("no API key"));
        backtest("{\"run\": \"no-such-run\"}").then().statusCode(404).body("error", containsString("no run 'no-such-run'"))
                .body("error", containsString("GET /v1/runs"));
        backtest("{" + ok).then().statusCode(400).body("error", containsString("not valid JSON"));
        // ... a refusal is JSON even to a client that asked for CSV
        given().header("X-Api-Key", key).accept("text/csv").contentType("application/json").body("{\"run\": \"no-such-run\"}")
                .post("/v1/backtests").then().statusCode(404).contentType("application/json").body("error", containsString("no run"));
        backtest("{}").then().statusCode(400).body("error", containsString("'run' is required"));
        backtest("{" + ok + ", \"colour\": 1}").then().statusCode(400).body("error", containsString("unknown field 'colour'"));
        backtest("{" + ok + ", \"from\": \"yesterday\"}").then().statusCode(400).body("error", containsString("ISO-8601"));
        backtest("{" + ok + ", \"from\": \"2025-05-05T10:00:00Z\", \"to\": \"2025-05-05T10:00:00Z\"}").then().statusCode(400)
                .body("error", containsString("'to' (2025-05-05T10:00:00Z) must be after 'from'"));
        backtest("{" + ok + ", \"from\": \"2030-01-01T00:00:00Z\"}").then().statusCode(400)
                .body("error", containsString("no trend windows starting between 2030-01-01T00:00:00Z and its end"))
                .body("error", containsString("its windows start from 2025-05-05T09:00:00Z"));
        backtest("{" + ok + ", \"rule_sets\": [1]}").then().statusCode(400).body("error", containsString("'rule_sets' must be a JSON object"));
        backtest("{" + ok + ", \"rule_sets\": {\"loose\": {\"sigma\": 2}}}").then().statusCode(400)
                .body("error", containsString("rule set 'loose': unknown rule parameter 'sigma'"));
        backtest("{" + ok + ", \"rule_sets\": {\"loose\": {\"negativeShareSigmas\": -1}}}").then().statusCode(400)
                .body("error", containsString("rule set 'loose': rule parameter negativeShareSigmas must be in (0, 100]"));
        backtest("{" + ok + ", \"rule_sets\": {\"loose\": 3}}").then().statusCode(400)
                .body("error", containsString("rule set 'loose': rule parameters must be a JSON object"));
        backtest("{" + ok + ", \"rule_sets\": {\"default\": {}}}").then().statusCode(400)
                .body("error", containsString("'default' is always included"));
        backtest("{" + ok + ", \"rule_sets\": {\"a,b\": {}}}").then().statusCode(400).body("error", containsString("rule set name 'a,b'"));
        backtest("{" + ok + ", \"rule_sets\": " + ruleSets(9) + "}").then().statusCode(400)
                .body("error", containsString("holds 9 rule sets, more than the limit of 8"));
        backtest("{" + ok + ", \"rule_sets\": {\"big\": {\"scoreDrop\": 0.3" + " ".repeat(70_000) + "}}}").then().statusCode(413)
                .body("error", containsString("limit"));
    }

    @Test
    void moreWindowsTimesRuleSetsThanTheCapAreRefused() throws Exception {
        // 40,000 windows (10 topics, 4,000 minutes): with 9 rule sets more than the default cap of 300,000 evaluations
        String run = unique("bt-huge");
        long start = Instant.parse("2025-01-01T00:00:00Z").toEpochMilli();
        List<TrendPoint> windows = new java.util.ArrayList<>();
        for (int i = 0; i < 40_000; i++) {
            windows.add(new TrendPoint("topic-" + (i % 10), start + (i / 10) * MINUTE, MINUTE, 10, 1, 8, 1, 0, 0.2));
        }
        TestSupport.insertWindows(JDBC, USER, run, windows);
        try {
            backtest("{\"run\": \"" + run + "\", \"rule_sets\": " + ruleSets(8) + "}").then().statusCode(400)
                    .body("error", containsString("more than 33333 trend windows in this range of run '" + run + "': with 9 rule sets that is"
                            + " more than the limit of 300000 window evaluations; narrow from/to or compare fewer rule sets"));
            // ... while the defaults alone, or all nine over a narrower range, are answered
            backtest("{\"run\": \"" + run + "\"}").then().statusCode(200).body("windows", org.hamcrest.Matchers.equalTo(40_000));
            backtest("{\"run\": \"" + run + "\", \"to\": \"2025-01-01T00:10:00Z\", \"rule_sets\": " + ruleSets(8) + "}").then().statusCode(200)
                    .body("windows", org.hamcrest.Matchers.equalTo(100)).body("ruleSets.size()", org.hamcrest.Matchers.equalTo(9));
        } finally {
            AlertingStore.jdbi(JDBC, USER).onDemand(TrendWindowTable.class).deleteRun(run);
        }
    }

    @Test
    void theDefaultsAreListedForAnyKey() throws Exception {
        String defaults = given().header("X-Api-Key", key).get("/v1/backtests/defaults").then().statusCode(200).extract().asString();
        assertThat(RuleParams.fromJson(defaults)).isEqualTo(RuleParams.defaults());
        given().header("X-Api-Key", TestSupport.ADMIN_KEY).get("/v1/backtests/defaults").then().statusCode(200);
    }

    /** {@code n} rule sets s0, s1, ..., each with its own pending duration, as the value of rule_sets. */
    private static String ruleSets(int n) {
        StringBuilder sets = new StringBuilder("{");
        for (int i = 0; i < n; i++) {
            sets.append(i == 0 ? "" : ", ").append("\"s").append(i).append("\": {\"pendingWindows\": ").append(i).append('}');
        }
        return sets.append('}').toString();
    }

    private static JsonNode topic(JsonNode ruleSet, String topic) {
        for (JsonNode t : ruleSet.get("topics")) {
            if (t.get("topic").asText().equals(topic)) {
                return t;
            }
        }
        throw new AssertionError("no topic " + topic + " in " + ruleSet);
    }

    private static List<String> states(JsonNode topic) {
        List<String> states = new java.util.ArrayList<>();
        topic.get("timeline").forEach(t -> states.add(t.get("state").asText()));
        return states;
    }
}
