package io.finsent.ingest.service;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.finsent.local.testing.LocalStackTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** With the default address policy (no private targets), a feed on loopback is refused when it is added, however spelled. */
@QuarkusTest
@TestProfile(FeedTargetPolicyIntegrationTest.DefaultPolicy.class)
@QuarkusTestResource(LocalStackTestResource.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FeedTargetPolicyIntegrationTest {

    public static final class DefaultPolicy implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("ingest.feeds.allow-private-targets", "false");
        }
    }

    private static final String ADMIN_KEY = "test-admin-key";

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"http://127.0.0.1:8081/q/metrics", "http://localhost:5432/", "http://[::1]:9092/", "http://127.1/", "http://2130706433/",
            "http://0x7f000001/", "http://[::ffff:127.0.0.1]/", "http://[0:0:0:0:0:ffff:7f00:1]/", "http://127.255.255.254:8080/admin",
            "http://0.0.0.0:8081/", "http://10.0.0.8/", "http://192.168.1.1/", "http://169.254.169.254/latest/meta-data/"})
    void aFeedOnLoopbackOrAPrivateNetworkIsRefused(String url) {
        given().header("X-API-Key", ADMIN_KEY).contentType("application/json").body("{\"url\": \"" + url + "\"}").post("/v1/feeds")
                .then().statusCode(400).body("error", containsString("refused"));

        List<String> urls = given().header("X-API-Key", ADMIN_KEY).get("/v1/feeds").then().statusCode(200).extract().jsonPath()
                .getList("url", String.class);
        assertThat(urls).isEmpty();
    }

    @Test
    void theRefusalSaysHowToAllowInternalFeeds() {
        given().header("X-API-Key", ADMIN_KEY).contentType("application/json").body("{\"url\": \"http://127.0.0.1:8080/rss\"}").post("/v1/feeds")
                .then().statusCode(400).body("error", containsString("loopback")).body("error", containsString("ingest.feeds.allow-private-targets"));
        // Metadata addresses stay refused whatever the setting: no hint there
        given().header("X-API-Key", ADMIN_KEY).contentType("application/json").body("{\"url\": \"http://169.254.169.254/latest/meta-data/\"}")
                .post("/v1/feeds").then().statusCode(400).body("error", containsString("link-local"))
                .body("error", org.hamcrest.Matchers.not(containsString("allow-private-targets")));
    }
}
