package io.finsent.alerting.service.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Set;

import jakarta.ws.rs.core.Response;

import org.junit.jupiter.api.Test;

/** Request bodies are read strictly, and every refusal names what is wrong. */
class JsonBodyTest {

    private static JsonBody parse(String json) {
        return JsonBody.parse(json.getBytes(StandardCharsets.UTF_8), 100, Set.of("a", "b"));
    }

    private static ApiException refusal(Runnable r) {
        try {
            r.run();
        } catch (ApiException e) {
            return e;
        }
        throw new AssertionError("not refused");
    }

    @Test
    void readsKnownFields() {
        JsonBody body = parse("{\"a\": \"x\", \"b\": true}");
        assertThat(body.requiredText("a")).isEqualTo("x");
        assertThat(body.bool("b")).contains(true);
    }

    @Test
    void refusesUnknownDuplicateTrailingMistypedAndOversized() {
        assertThat(refusal(() -> parse("{\"c\": 1}")).getMessage()).contains("unknown field 'c'");
        assertThat(refusal(() -> parse("{\"a\": \"x\", \"a\": \"y\"}")).status()).isEqualTo(Response.Status.BAD_REQUEST);
        assertThat(refusal(() -> parse("{\"a\": \"x\"} {}")).getMessage()).contains("not valid JSON");
        assertThat(refusal(() -> parse("{\"a\": 1}").text("a")).getMessage()).contains("'a' must be a string");
        assertThat(refusal(() -> parse("{}").requiredText("a")).getMessage()).contains("'a' is required");
        assertThat(refusal(() -> parse("{\"a\": \"" + "x".repeat(200) + "\"}")).status()).isEqualTo(Response.Status.REQUEST_ENTITY_TOO_LARGE);
        assertThat(refusal(() -> JsonBody.parseInstant("ends_at", "tomorrow")).getMessage()).contains("ISO-8601");
    }

    @Test
    void webhookUrlsAreCheckedForSyntaxOnly() {
        SubscriptionsResource.validateUrl("https://hooks.example.com/x?y=1");
        SubscriptionsResource.validateUrl("http://10.0.0.1:8080/private-is-decided-at-delivery");
        assertThatThrownBy(() -> SubscriptionsResource.validateUrl("ftp://example.com/")).hasMessageContaining("http or https");
        assertThatThrownBy(() -> SubscriptionsResource.validateUrl("https:///no-host")).hasMessageContaining("no host");
        assertThatThrownBy(() -> SubscriptionsResource.validateUrl("https://user:pw@example.com/")).hasMessageContaining("credentials");
        assertThatThrownBy(() -> SubscriptionsResource.validateUrl("https://exa mple.com/")).hasMessageContaining("not a URL");
    }
}
