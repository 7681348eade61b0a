package io.finsent.common;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * API keys are configured and stored as their SHA-256 only (hex, as {@code printf %s KEY | sha256sum} prints it),
 * never as the key: this hashes a key, reads a configured hash and compares the two in constant time.
 */
public final class ApiKeyHash {

    private ApiKeyHash() {
    }

    /** The SHA-256 of the key's UTF-8 bytes. */
    public static byte[] of(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }

    /** The SHA-256 of the key, lower-case hex: what a configuration or the api_key table holds. */
    public static String hex(String key) {
        return HexFormat.of().formatHex(of(key));
    }

    /**
     * A configured hash.
     *
     * @param property the configuration key it came from, named in the error
     * @throws IllegalStateException when it is not 64 hex digits
     */
    public static byte[] parse(String hex, String property) {
        String digits = hex.strip().toLowerCase(Locale.ROOT);
        if (digits.length() != 64) {
            throw notAHash(property, null);
        }
        try {
            return HexFormat.of().parseHex(digits);
        } catch (IllegalArgumentException e) {
            throw notAHash(property, e);
        }
    }

    /** Whether the key hashes to {@code expected}; constant time, so response times tell nothing about a key. */
    public static boolean matches(String key, byte[] expected) {
        return MessageDigest.isEqual(of(key), expected);
    }

    private static IllegalStateException notAHash(String property, Exception cause) {
        return new IllegalStateException(property + " is not a hex SHA-256; compute it with printf %s KEY | sha256sum", cause);
    }
}
