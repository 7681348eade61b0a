package io.finsent.alerting.service.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import jakarta.validation.Validation;
import jakarta.ws.rs.core.Response;

import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;
import org.junit.jupiter.api.Test;

import io.finsent.service.api.ApiProblem;
import io.finsent.service.api.JsonRequests;

/** Request bodies are read strictly into the API's request records, and every refusal names what is wrong. */
class RequestBodyTest {

    private static final JsonRequests JSON = new JsonRequests(Validation.byDefaultProvider().configure()
            .messageInterpolator(new ParameterMessageInterpolator()).buildValidatorFactory().getValidator());

    private static SubscriptionsResource.SubscriptionRequest parse(String json) {
        return JSON.read(json.getBytes(StandardCharsets.UTF_8), 100, SubscriptionsResource.SubscriptionRequest.class);
    }

    private static ApiProblem refusal(Runnable r) {
        try {
            r.run();
        } catch (ApiProblem e) {
            return e;
        }
        throw new AssertionError("not refused");
    }

    @Test
    void readsKnownFields() {
        SubscriptionsResource.SubscriptionRequest body = parse("{\"topic\": \"x\", \"enabled\": true}");
        assertThat(body.topic()).isEqualTo("x");
        assertThat(body.enabled()).isTrue();
    }

    @Test
    void refusesUnknownDuplicateTrailingMistypedAndOversized() {
        assertThat(refusal(() -> parse("{\"topic\": \"x\", \"c\": 1}")).getMessage()).contains("unknown field 'c'");
        assertThat(refusal(() -> parse("{\"topic\": \"x\", \"topic\": \"y\"}")).status()).isEqualTo(Response.Status.BAD_REQUEST);
        assertThat(refusal(() -> parse("{\"topic\": \"x\"} {}")).getMessage()).contains("not valid JSON");
        assertThat(refusal(() -> parse("{\"topic\": 1}")).getMessage()).contains("'topic' must be a string");
        assertThat(refusal(() -> parse("{}")).getMessage()).contains("'topic' is required");
        assertThat(refusal(() -> parse("{\"topic\": \"" + "x".repeat(200) + "\"}")).status()).isEqualTo(Response.Status.REQUEST_ENTITY_TOO_LARGE);
        assertThat(refusal(() -> Times.instant("ends_at", "tomorrow")).getMessage()).contains("ISO-8601");
        SilencesResource.SilenceRequest silence = new SilencesResource.SilenceRequest(null, null, null, null, null, "tomorrow", "x");
        assertThat(refusal(() -> silence.toSilence(1, Instant.now())).getMessage()).contains("'ends_at'").contains("ISO-8601");
    }

    @Test
    void webhookUrlsAreCheckedForSyntaxOnly() {
        SubscriptionsResource.validateUrl("https://hooks.example.com/x?y=1");
        SubscriptionsResource.validateUrl("http://10.0.0.1:8080/syntax-only-the-policy-decides-addresses");
        assertThatThrownBy(() -> SubscriptionsResource.validateUrl("ftp://example.com/")).hasMessageContaining("http or https");
        assertThatThrownBy(() -> SubscriptionsResource.validateUrl("https:///no-host")).hasMessageContaining("no host");
        assertThatThrownBy(() -> SubscriptionsResource.validateUrl("https://user:pw@example.com/")).hasMessageContaining("credentials");
        assertThatThrownBy(() -> SubscriptionsResource.validateUrl("https://exa mple.com/")).hasMessageContaining("not a URL");
    }
}
