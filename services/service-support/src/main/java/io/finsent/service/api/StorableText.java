package io.finsent.service.api;

import java.util.Locale;

/**
 * The one rule for which strings a request may carry into Kafka and PostgreSQL: no control character but tab, line
 * feed and carriage return (PostgreSQL cannot store U+0000 at all, and none of the others belongs in a name, a comment,
 * a rule set or a query), and no half of a surrogate pair (it has no UTF-8 form). A string that breaks it is the
 * client's mistake, refused with a 400 that names where it is, never a 503 the client would retry for ever.
 */
public final class StorableText {

    private StorableText() {
    }

    /** The index of the first character {@code value} may not hold, or -1 when it may be stored as it is. */
    public static int firstRefused(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c) || Character.getType(c) == Character.CONTROL && c != '\t' && c != '\n' && c != '\r') {
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

    /** A 400 for {@code what} (e.g. "field 'name'") when {@code value} breaks the rule; nothing otherwise. */
    public static void require(String what, String value) {
        int at = value == null ? -1 : firstRefused(value);
        if (at >= 0) {
            throw ApiProblem.badRequest(what + " holds " + describe(value, at)
                    + ": no control characters but tab and line breaks, and no unpaired surrogates");
        }
    }
}
