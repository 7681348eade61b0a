package io.finsent.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** A key matches the hash {@code printf %s KEY | sha256sum} prints for it, and nothing else; a bad configured hash names its property. */
class ApiKeyHashTest {

    // printf %s test-admin-key | sha256sum
    private static final String TEST_ADMIN_KEY_SHA256 = "944650a7cd0f9e14d5c4fb15edbffb7fa45fb9ed36a4fa9be3d7e5476ae51bd9";

    @Test
    void aKeyMatchesTheHashSha256sumPrintsForIt() {
        assertThat(ApiKeyHash.hex("test-admin-key")).isEqualTo(TEST_ADMIN_KEY_SHA256);
        byte[] configured = ApiKeyHash.parse(" " + TEST_ADMIN_KEY_SHA256.toUpperCase() + "\n", "x.key-sha256");
        assertThat(ApiKeyHash.matches("test-admin-key", configured)).isTrue();
        assertThat(ApiKeyHash.matches("test-admin-key ", configured)).isFalse();
        assertThat(ApiKeyHash.matches("", configured)).isFalse();
    }

    @Test
    void aConfiguredValueThatIsNotASha256NamesItsProperty() {
        assertThatThrownBy(() -> ApiKeyHash.parse("test-admin-key", "scorer.admin.key-sha256")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("scorer.admin.key-sha256 is not a hex SHA-256");
        assertThatThrownBy(() -> ApiKeyHash.parse("zz".repeat(32), "p")).hasMessageContaining("p is not a hex SHA-256");
    }
}
