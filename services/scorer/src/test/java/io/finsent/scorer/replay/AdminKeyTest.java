package io.finsent.scorer.replay;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;

import jakarta.ws.rs.core.Response;

import org.junit.jupiter.api.Test;

/** The replay API's key check: off (403) without a configured hash, 401 without the right key, a malformed hash stops start-up. */
class AdminKeyTest {

    // printf %s test-admin-key | sha256sum
    private static final String HASH = "944650a7cd0f9e14d5c4fb15edbffb7fa45fb9ed36a4fa9be3d7e5476ae51bd9";

    @Test
    void withoutAConfiguredHashEveryCallIsForbiddenWithTheReason() {
        for (Optional<String> none : java.util.List.of(Optional.<String>empty(), Optional.of(" "))) {
            assertThatThrownBy(() -> new AdminKey(none).require("test-admin-key")).isInstanceOfSatisfying(ReplayApiException.class,
                    e -> org.assertj.core.api.Assertions.assertThat(e.status()).isEqualTo(Response.Status.FORBIDDEN))
                    .hasMessageContaining("set scorer.admin.key-sha256");
        }
    }

    @Test
    void onlyTheAdminKeyPasses() {
        AdminKey key = new AdminKey(Optional.of(HASH));
        assertThatCode(() -> key.require("test-admin-key")).doesNotThrowAnyException();
        for (String wrong : new String[] {null, "", "test-admin-key2"}) {
            assertThatThrownBy(() -> key.require(wrong)).isInstanceOfSatisfying(ReplayApiException.class,
                    e -> org.assertj.core.api.Assertions.assertThat(e.status()).isEqualTo(Response.Status.UNAUTHORIZED));
        }
    }

    @Test
    void aMalformedHashStopsStartUp() {
        assertThatThrownBy(() -> new AdminKey(Optional.of("test-admin-key"))).hasMessageContaining("scorer.admin.key-sha256 is not a hex SHA-256");
    }
}
