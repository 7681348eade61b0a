package io.finsent.notify;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs webhook bodies and checks those signatures: HMAC-SHA256, keyed with the subscription's secret
 * (UTF-8), over {@code <unix seconds> + "." + <body bytes>}, sent as
 * {@code X-Finsent-Signature: t=<unix seconds>,v1=<lower-case hex>}. Receivers call {@link #verify}.
 */
public final class WebhookSigner {

    public static final String SIGNATURE_HEADER = "X-Finsent-Signature";
    public static final String IDEMPOTENCY_KEY_HEADER = "Idempotency-Key";
    /** How far a signature's timestamp may be from the receiver's clock by default: 5 minutes. */
    public static final Duration DEFAULT_TOLERANCE = Duration.ofMinutes(5);

    private static final HexFormat HEX = HexFormat.of();

    private WebhookSigner() {
    }

    /**
     * The {@value #SIGNATURE_HEADER} value for {@code body} sent at {@code unixSeconds}.
     *
     * @throws IllegalArgumentException when the secret is empty
     */
    public static String signatureHeader(String secret, long unixSeconds, byte[] body) {
        return "t=" + unixSeconds + ",v1=" + HEX.formatHex(hmac(secret, unixSeconds, body));
    }

    /**
     * Whether {@code signatureHeader} is a valid signature of {@code body} under {@code secret}, made no
     * further than {@code tolerance} from {@code now} (replay protection). Any {@code v1} entry may match,
     * so a sender may sign with two secrets while rotating. Malformed headers are simply not valid.
     */
    public static boolean verify(String secret, String signatureHeader, byte[] body, Instant now, Duration tolerance) {
        if (secret == null || secret.isEmpty() || signatureHeader == null || body == null) {
            return false;
        }
        Long timestamp = null;
        List<String> candidates = new ArrayList<>();
        for (String part : signatureHeader.split(",")) {
            int eq = part.indexOf('=');
            if (eq < 0) {
                continue;
            }
            String key = part.substring(0, eq).strip();
            String value = part.substring(eq + 1).strip();
            if (key.equals("t")) {
                if (timestamp != null || !value.matches("\\d{1,12}")) {
                    return false;
                }
                timestamp = Long.parseLong(value);
            } else if (key.equals("v1")) {
                candidates.add(value);
            }
        }
        if (timestamp == null || candidates.isEmpty()) {
            return false;
        }
        if (Duration.between(Instant.ofEpochSecond(timestamp), now).abs().compareTo(tolerance) > 0) {
            return false;
        }
        byte[] expected = hmac(secret, timestamp, body);
        boolean match = false;
        for (String candidate : candidates) {
            byte[] given;
            try {
                given = HEX.parseHex(candidate);
            } catch (IllegalArgumentException e) {
                continue;
            }
            match |= MessageDigest.isEqual(expected, given);
        }
        return match;
    }

    /** {@link #verify(String, String, byte[], Instant, Duration)} with the body as UTF-8 text. */
    public static boolean verify(String secret, String signatureHeader, String body, Instant now, Duration tolerance) {
        return body != null && verify(secret, signatureHeader, body.getBytes(StandardCharsets.UTF_8), now, tolerance);
    }

    private static byte[] hmac(String secret, long unixSeconds, byte[] body) {
        if (secret == null || secret.isEmpty()) {
            throw new IllegalArgumentException("a webhook signing secret must not be empty");
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((unixSeconds + ".").getBytes(StandardCharsets.US_ASCII));
            return mac.doFinal(body);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }
}
