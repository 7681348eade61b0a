package io.finsent.scorer.replay;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;

import jakarta.ws.rs.core.Response;

import io.finsent.service.api.ApiProblem;

import org.junit.jupiter.api.Test;

/** The replay API's key check: off (403) without a configured hash, 401 without the right key, a malformed hash stops start-up. */
class ScorerKeysTest {

    // printf %s test-admin-key | sha256sum
    private static final String HASH = "944650a7cd0f9e14d5c4fb15edbffb7fa45fb9ed36a4fa9be3d7e5476ae51bd9";

    @Test
    void withoutAConfiguredHashEveryCallIsForbiddenWithTheReason() {
        for (Optional<String> none : java.util.List.of(Optional.<String>empty(), Optional.of(" "))) {
            ScorerKeys keys = new ScorerKeys(none);
            assertThatThrownBy(() -> keys.identify("test-admin-key")).isInstanceOfSatisfying(ApiProblem.class,
                    e -> org.assertj.core.api.Assertions.assertThat(e.status()).isEqualTo(Response.Status.FORBIDDEN))
                    .hasMessageContaining("set scorer.admin.key-sha256");
            org.assertj.core.api.Assertions.assertThat(keys.missingKey().status()).isEqualTo(Response.Status.FORBIDDEN);
        }
    }

    @Test
    void onlyTheAdminKeyPasses() {
        ScorerKeys keys = new ScorerKeys(Optional.of(HASH));
        org.assertj.core.api.Assertions.assertThat(keys.identify("test-admin-key").roles()).containsExactly(ScorerKeys.ADMIN);
        for (String wrong : new String[] {"", "test-admin-key2", "TEST-ADMIN-KEY"}) {
            assertThatThrownBy(() -> keys.identify(wrong)).isInstanceOfSatisfying(ApiProblem.class,
                    e -> org.assertj.core.api.Assertions.assertThat(e.status()).isEqualTo(Response.Status.UNAUTHORIZED));
        }
        org.assertj.core.api.Assertions.assertThat(keys.missingKey().status()).isEqualTo(Response.Status.UNAUTHORIZED);
    }

    @Test
    void theExplainKeyCarriesTheExplainRoleOnlyAndAloneTurnsTheApiOn() {
        String explainHash = "973b34c2699ce9677d8f4d3544a662ae8a879958337f9af60e1aea4a62d81785"; // test-explain-key
        ScorerKeys both = new ScorerKeys(Optional.of(HASH), Optional.of(explainHash));
        org.assertj.core.api.Assertions.assertThat(both.identify("test-explain-key").roles()).containsExactly(ScorerKeys.EXPLAIN);
        org.assertj.core.api.Assertions.assertThat(both.identify("test-admin-key").roles()).containsExactly(ScorerKeys.ADMIN);
        ScorerKeys explainOnly = new ScorerKeys(Optional.empty(), Optional.of(explainHash));
        org.assertj.core.api.Assertions.assertThat(explainOnly.identify("test-explain-key").roles()).containsExactly(ScorerKeys.EXPLAIN);
        assertThatThrownBy(() -> explainOnly.identify("test-admin-key")).isInstanceOfSatisfying(ApiProblem.class,
                e -> org.assertj.core.api.Assertions.assertThat(e.status()).isEqualTo(Response.Status.UNAUTHORIZED));
        assertThatThrownBy(() -> new ScorerKeys(Optional.empty(), Optional.of("nope"))).hasMessageContaining("scorer.explain.key-sha256");
    }

    @Test
    void aMalformedHashStopsStartUp() {
        assertThatThrownBy(() -> new ScorerKeys(Optional.of("test-admin-key"))).hasMessageContaining("scorer.admin.key-sha256 is not a hex SHA-256");
    }
}
