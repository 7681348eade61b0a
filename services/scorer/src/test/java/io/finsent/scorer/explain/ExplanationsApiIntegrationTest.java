package io.finsent.scorer.explain;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.finsent.local.testing.LocalStackTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * {@code POST /v1/explanations} on the scorer with the shipped model: the explain key and the admin key get the label,
 * probabilities and each word's weight at its offsets; no key, a wrong key, bad bodies and texts over the word cap are
 * refused with the reason.
 */
@QuarkusTest
@QuarkusTestResource(LocalStackTestResource.class)
class ExplanationsApiIntegrationTest {

    private static final String TEXT = "Operating profit collapsed and the company warned of heavy losses";

    @Test
    void theExplainKeyGetsEachWordsWeightForTheLabel() {
        for (String key : List.of("test-explain-key", "test-admin-key")) {
            JsonPath answer = given().header("X-Api-Key", key).contentType("application/json").body(Map.of("text", TEXT))
                    .post("/v1/explanations").then().statusCode(200).extract().jsonPath();
            assertThat(answer.getString("label")).isEqualTo("negative");
            assertThat(answer.getDouble("probabilities.negative")).isGreaterThan(0.5);
            assertThat(answer.getString("model")).startsWith("finsent-sentiment");
            List<Map<String, Object>> tokens = answer.getList("tokens");
            assertThat(tokens).hasSize(10);
            for (Map<String, Object> t : tokens) {
                assertThat(TEXT.substring((Integer) t.get("start"), (Integer) t.get("end"))).isEqualTo(t.get("text"));
            }
            String heaviest = tokens.stream().max((a, b) -> Double.compare(((Number) a.get("weight")).doubleValue(),
                    ((Number) b.get("weight")).doubleValue())).orElseThrow().get("text").toString();
            assertThat(heaviest).isIn("collapsed", "warned", "losses", "heavy");
        }
    }

    @Test
    void badRequestsAreRefusedWithTheReason() {
        given().contentType("application/json").body(Map.of("text", TEXT)).post("/v1/explanations").then().statusCode(401);
        given().header("X-Api-Key", "wrong").contentType("application/json").body(Map.of("text", TEXT)).post("/v1/explanations").then()
                .statusCode(401);
        given().header("X-Api-Key", "test-explain-key").contentType("application/json").body("{\"text\": ").post("/v1/explanations").then()
                .statusCode(400);
        given().header("X-Api-Key", "test-explain-key").contentType("application/json").body("{}").post("/v1/explanations").then()
                .statusCode(400).body("error", containsString("text"));
        given().header("X-Api-Key", "test-explain-key").contentType("application/json").body(Map.of("text", "  ")).post("/v1/explanations")
                .then().statusCode(400).body("error", containsString("empty"));
        given().header("X-Api-Key", "test-explain-key").contentType("application/json").body(Map.of("text", "word ".repeat(300)))
                .post("/v1/explanations").then().statusCode(422).body("error", containsString("has 300 words"))
                .body("error", containsString("scorer.explain.max-words"));
        // the explain key cannot start replays
        given().header("X-Api-Key", "test-explain-key").contentType("application/json").body("{}").post("/v1/replays").then().statusCode(403);
    }
}
