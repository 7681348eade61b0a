package io.finsent.common;

import java.util.Locale;

/**
 * The one rule for which strings may be carried into Kafka and PostgreSQL, from an API request, a pushed or imported
 * item or a feed: no control character below U+0020 but tab, line feed and carriage return (PostgreSQL cannot store
 * U+0000 at all, and none of the others belongs in a text, a name, a comment, a rule set or a query), and no half of a
 * surrogate pair (it has no UTF-8 form; a JSON {@code "\ud800"} escape makes one).
 */
public final class StorableText {

    private StorableText() {
    }

    /** The index of the first character {@code value} may not hold, or -1 when it may be stored as it is. */
    public static int firstRefused(String value) {
        return firstRefused(value, 0);
    }

    private static int firstRefused(String value, int from) {
        for (int i = from; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c) || c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
                return i;
            }
        }
        return -1;
    }

    /** What is wrong at {@code index} (from {@link #firstRefused}), e.g. "the control character U+0000 at position 3". */
    public static String describe(String value, int index) {
        char c = value.charAt(index);
        String code = "U+" + String.format(Locale.ROOT, "%04X", (int) c);
        return (Character.isSurrogate(c) ? "a lone surrogate " : "the control character ") + code + " at position " + index;
    }

    /** {@code value} with each character it may not hold replaced by U+FFFD: safe to echo in a message that is stored. */
    public static String sanitized(String value) {
        StringBuilder out = new StringBuilder(value.length());
        int from = 0;
        for (int at = firstRefused(value, 0); at >= 0; at = firstRefused(value, from)) {
            out.append(value, from, at).append('\uFFFD');
            from = at + 1;
        }
        return out.append(value, from, value.length()).toString();
    }

    /** At most {@code maxChars} characters of {@code value} for a message ("..." marks a cut), {@link #sanitized}; "null" for null. */
    public static String abbreviated(String value, int maxChars) {
        if (value == null) {
            return "null";
        }
        return sanitized(value.length() <= maxChars ? value : value.substring(0, Math.max(0, maxChars - 3)) + "...");
    }

    /** Why {@code value} may not be stored ("holds ..."), or null when it may; {@code null} may. */
    public static String refusal(String value) {
        int at = value == null ? -1 : firstRefused(value);
        return at < 0 ? null : "holds " + describe(value, at) + ": no control characters but tab and line breaks, and no unpaired surrogates";
    }
}
