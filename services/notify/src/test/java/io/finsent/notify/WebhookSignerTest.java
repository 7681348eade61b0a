package io.finsent.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The signature is HMAC-SHA256 of "t.body" under the subscription secret, checked with a replay window. */
class WebhookSignerTest {

    private static final String SECRET = "whsec_test";
    private static final String BODY = "{\"a\":1}";
    private static final long T = 1_700_000_000L;
    private static final Instant NOW = Instant.ofEpochSecond(T);
    private static final Duration TOLERANCE = WebhookSigner.DEFAULT_TOLERANCE;

    @Test
    void matchesAnIndependentlyComputedHmac() {
        // printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac whsec_test
        assertThat(WebhookSigner.signatureHeader(SECRET, T, BODY.getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("t=1700000000,v1=38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789");
    }

    @Test
    void verifiesItsOwnSignatureWithinTheTolerance() {
        String header = WebhookSigner.signatureHeader(SECRET, T, BODY.getBytes(StandardCharsets.UTF_8));

        assertThat(WebhookSigner.verify(SECRET, header, BODY, NOW, TOLERANCE)).isTrue();
        assertThat(WebhookSigner.verify(SECRET, header, BODY, NOW.plus(TOLERANCE), TOLERANCE)).isTrue();
        assertThat(WebhookSigner.verify(SECRET, header, BODY, NOW.minus(TOLERANCE), TOLERANCE)).isTrue();
    }

    @Test
    void rejectsTamperingWrongSecretsAndReplays() {
        String header = WebhookSigner.signatureHeader(SECRET, T, BODY.getBytes(StandardCharsets.UTF_8));

        assertThat(WebhookSigner.verify(SECRET, header, "{\"a\":2}", NOW, TOLERANCE)).isFalse();
        assertThat(WebhookSigner.verify("other", header, BODY, NOW, TOLERANCE)).isFalse();
        assertThat(WebhookSigner.verify(SECRET, header.replace("t=1700000000", "t=1700000001"), BODY, NOW, TOLERANCE)).isFalse();
        assertThat(WebhookSigner.verify(SECRET, header, BODY, NOW.plus(TOLERANCE).plusSeconds(1), TOLERANCE)).isFalse();
        assertThat(WebhookSigner.verify(SECRET, header, BODY, NOW.minus(TOLERANCE).minusSeconds(1), TOLERANCE)).isFalse();
    }

    @Test
    void acceptsAnyOfSeveralV1SignaturesForSecretRotation() {
        String v1 = WebhookSigner.signatureHeader(SECRET, T, BODY.getBytes(StandardCharsets.UTF_8)).split(",")[1];
        String rotated = "t=" + T + ",v1=" + "00".repeat(32) + "," + v1 + ",v2=ignored";

        assertThat(WebhookSigner.verify(SECRET, rotated, BODY, NOW, TOLERANCE)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "garbage", "t=1700000000", "v1=38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789",
            "t=abc,v1=38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789",
            "t=1700000000,t=1700000000,v1=38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789",
            "t=1700000000,v1=not-hex", "t=1700000000,v1=3887713902"})
    void malformedHeadersAreNotValid(String header) {
        assertThat(WebhookSigner.verify(SECRET, header, BODY, NOW, TOLERANCE)).isFalse();
    }

    @Test
    void missingInputsAreNotValidAndEmptySecretsCannotSign() {
        String header = WebhookSigner.signatureHeader(SECRET, T, BODY.getBytes(StandardCharsets.UTF_8));
        assertThat(WebhookSigner.verify(null, header, BODY, NOW, TOLERANCE)).isFalse();
        assertThat(WebhookSigner.verify("", header, BODY, NOW, TOLERANCE)).isFalse();
        assertThat(WebhookSigner.verify(SECRET, null, BODY, NOW, TOLERANCE)).isFalse();
        assertThat(WebhookSigner.verify(SECRET, header, (String) null, NOW, TOLERANCE)).isFalse();
        assertThatThrownBy(() -> WebhookSigner.signatureHeader("", T, new byte[0])).isInstanceOf(IllegalArgumentException.class);
    }
}
