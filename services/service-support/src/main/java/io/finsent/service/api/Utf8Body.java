package io.finsent.service.api;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

import jakarta.ws.rs.core.Response;

/**
 * A request body as text: UTF-8 and nothing else, decoded strictly before any JSON parser sees it. Jackson given bytes
 * guesses UTF-16 and UTF-32 from NUL bytes and reads a body whatever its Content-Type says; the JDK's UTF-8 decoder
 * reporting errors (rather than replacing them) refuses overlong forms ({@code C0 AF}, which lenient decoders turn into
 * "/"), encoded surrogates, code points past U+10FFFF, stray and truncated sequences. Refusals: a Content-Encoding
 * other than identity (we do not decompress, and ignoring it would store the compressed bytes) or a charset other than
 * UTF-8 is 415, as is a body in UTF-16 or UTF-32 (a byte order mark, or NUL bytes among its first characters); bytes
 * that are not UTF-8 are 400. A UTF-8 byte order mark is dropped (RFC 8259 lets a parser ignore it). Used by ingest's
 * push API and by {@link JsonRequests} for every other JSON body.
 */
public final class Utf8Body {

    private Utf8Body() {
    }

    /** Refuses (415) what the headers say about the body before it is read. */
    public static void checkHeaders(String contentType, List<String> contentEncodings) {
        if (contentEncodings != null) {
            for (String header : contentEncodings) {
                for (String coding : header.split(",")) {
                    String c = coding.strip();
                    if (!c.isEmpty() && !c.equalsIgnoreCase("identity")) {
                        throw unsupported("Content-Encoding '" + abbreviate(c) + "' is not accepted: only identity is (send the body"
                                + " uncompressed, without Content-Encoding)").withHeader("Accept-Encoding", "identity");
                    }
                }
            }
        }
        String charset = charsetOf(contentType);
        if (charset != null && !charset.equals("utf-8") && !charset.equals("utf8")) {
            throw unsupported("charset '" + abbreviate(charset) + "' is not accepted: send the body in UTF-8 (charset=utf-8, or no charset)");
        }
    }

    /** The body's text, or the reason it is not UTF-8. */
    public static String decode(byte[] bytes) {
        int start = 0;
        if (bytes.length >= 3 && (bytes[0] & 0xFF) == 0xEF && (bytes[1] & 0xFF) == 0xBB && (bytes[2] & 0xFF) == 0xBF) {
            start = 3;
        } else if (bytes.length >= 2 && ((bytes[0] & 0xFF) == 0xFE && (bytes[1] & 0xFF) == 0xFF || (bytes[0] & 0xFF) == 0xFF && (bytes[1] & 0xFF) == 0xFE)
                || bytes.length >= 4 && bytes[0] == 0 && bytes[1] == 0 && (bytes[2] & 0xFF) == 0xFE && (bytes[3] & 0xFF) == 0xFF) {
            throw unsupported("the body starts with a UTF-16 or UTF-32 byte order mark: send it in UTF-8");
        }
        for (int i = start; i < Math.min(bytes.length, start + 4); i++) {
            if (bytes[i] == 0) {
                // JSON text starts with an ASCII character; NULs next to it are what UTF-16 and UTF-32 look like.
                throw unsupported("the body looks like UTF-16 or UTF-32 (NUL bytes among its first characters): send it in UTF-8");
            }
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes, start, bytes.length - start);
        CharBuffer out = CharBuffer.allocate(bytes.length - start);
        CoderResult result = decoder.decode(in, out, true);
        if (result.isUnderflow()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            throw ApiProblem.badRequest("the body is not valid JSON: JSON is UTF-8, and the bytes at offset " + in.position() + " ("
                    + hex(bytes, in.position()) + ") are not UTF-8 (overlong forms, encoded surrogates, stray or truncated sequences are refused)");
        }
        out.flip();
        return out.toString();
    }

    /** Up to four bytes from the offset, in hex: the bad sequence and what follows it. */
    private static String hex(byte[] bytes, int at) {
        StringBuilder hex = new StringBuilder();
        for (int i = at; i < Math.min(bytes.length, at + 4); i++) {
            hex.append(hex.isEmpty() ? "" : " ").append(String.format(Locale.ROOT, "%02X", bytes[i] & 0xFF));
        }
        return hex.toString();
    }

    /** The charset parameter of a Content-Type, lower case, or null. */
    public static String charsetOf(String contentType) {
        if (contentType == null) {
            return null;
        }
        String[] parts = contentType.split(";");
        for (int i = 1; i < parts.length; i++) {
            String[] param = parts[i].split("=", 2);
            if (param.length == 2 && param[0].strip().equalsIgnoreCase("charset")) {
                return param[1].strip().replaceAll("^\"|\"$", "").toLowerCase(Locale.ROOT);
            }
        }
        return null;
    }

    private static ApiProblem unsupported(String message) {
        return new ApiProblem(Response.Status.UNSUPPORTED_MEDIA_TYPE, message);
    }

    private static String abbreviate(String s) {
        String cut = s.length() <= 40 ? s : s.substring(0, 37) + "...";
        return cut.replaceAll("[^\\x20-\\x7E]", "?");
    }
}
