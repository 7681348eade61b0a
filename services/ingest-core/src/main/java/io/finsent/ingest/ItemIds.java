package io.finsent.ingest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;

/**
 * Stable item ids, the key of {@code text.raw}: the same item from the same source always gets the same
 * id, so re-polling, re-sending and re-importing can be recognised. With a native id (a feed's guid,
 * a post's id, an archive row's id) the id is a hash of source and native id ({@code n-...}); without
 * one it is a hash of the normalised content ({@code c-...}). 128 bits of SHA-256, in hex.
 */
public final class ItemIds {

    private static final HexFormat HEX = HexFormat.of();

    private ItemIds() {
    }

    public static String ofNativeId(String source, String nativeId) {
        return "n-" + hash(source, nativeId);
    }

    public static String ofContent(String source, Instant publishedAt, String url, String title, String body) {
        return "c-" + hash(source, Long.toString(publishedAt.toEpochMilli()), url == null ? "" : url, title == null ? "" : title, body);
    }

    /** Hex SHA-256 of the parts, each followed by a NUL so that ("ab","c") and ("a","bc") differ; 32 hex digits. */
    static String hash(String... parts) {
        MessageDigest digest = sha256();
        for (String part : parts) {
            digest.update(part.getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
        }
        return HEX.formatHex(digest.digest(), 0, 16);
    }

    /** Hex SHA-256 of bytes, 32 hex digits: the key of a dead letter that had no key of its own. */
    public static String ofBytes(byte[] bytes) {
        return HEX.formatHex(sha256().digest(bytes), 0, 16);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }
}
