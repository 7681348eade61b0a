package io.finsent.ingest;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jsoup.Jsoup;

/**
 * Turns source text into the plain text every later stage reads: HTML to text (jsoup: tags dropped,
 * entities decoded, scripts and styles removed), Unicode NFC, control characters removed, whitespace
 * collapsed to single spaces. Also finds the tickers of an item: those the source gave plus the
 * cashtags ({@code $AAPL}) in its text, upper case, in order of first mention.
 */
public final class ItemNormaliser {

    /** A ticker as we keep it: a letter or digit, then letters, digits, '.' or '-' (BRK.A, RDS-B), at most 12. */
    public static final Pattern TICKER = Pattern.compile("[A-Z0-9][A-Z0-9.\\-]{0,11}");
    private static final Pattern CASHTAG = Pattern.compile("(?<![\\p{L}\\p{N}$_])\\$([A-Za-z][A-Za-z0-9]{0,5}(?:[.\\-][A-Za-z]{1,2})?)(?![\\p{L}\\p{N}_])");
    private static final int MAX_CASHTAGS = 32;

    private ItemNormaliser() {
    }

    /** Plain text of an HTML or plain-text string; null stays null. */
    public static String toPlainText(String text) {
        if (text == null) {
            return null;
        }
        String plain = looksLikeMarkup(text) ? Jsoup.parseBodyFragment(text).text() : text;
        if (!Normalizer.isNormalized(plain, Normalizer.Form.NFC)) {
            plain = Normalizer.normalize(plain, Normalizer.Form.NFC);
        }
        return collapse(plain);
    }

    /** Whitespace runs to one space, control characters and non-characters removed, ends stripped: one pass. */
    private static String collapse(String s) {
        StringBuilder out = new StringBuilder(s.length());
        boolean pendingSpace = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c) || Character.isSpaceChar(c)) {
                pendingSpace = out.length() > 0;
            } else if (Character.getType(c) == Character.CONTROL || c == '\uFEFF' || c == '\uFFFE' || c == '\uFFFF') {
                // dropped; a control character between words is not a space
            } else {
                if (pendingSpace) {
                    out.append(' ');
                    pendingSpace = false;
                }
                out.append(c);
            }
        }
        return out.toString();
    }

    private static boolean looksLikeMarkup(String text) {
        return text.indexOf('<') >= 0 || text.indexOf('&') >= 0;
    }

    /** Cashtags in the text, upper case, in order of first mention, at most 32. */
    public static List<String> cashtags(String text) {
        Set<String> found = new LinkedHashSet<>();
        if (text != null) {
            Matcher m = CASHTAG.matcher(text);
            while (m.find() && found.size() < MAX_CASHTAGS) {
                found.add(m.group(1).toUpperCase(Locale.ROOT));
            }
        }
        return new ArrayList<>(found);
    }

    /**
     * A source's ticker in our form (upper case, no leading '$'), or null when it is not a ticker. Only ASCII is
     * upper-cased: Java's upper case of "ßap" is "SSAP" and of "ıbm" is "IBM", tickers nobody sent.
     */
    public static String ticker(String raw) {
        if (raw == null) {
            return null;
        }
        String t = raw.strip();
        if (t.startsWith("$")) {
            t = t.substring(1);
        }
        if (!TICKER.matcher(t.toUpperCase(Locale.ROOT)).matches() || !t.chars().allMatch(c -> c < 0x80)) {
            return null;
        }
        return t.toUpperCase(Locale.ROOT);
    }

    /** Source tickers first, then cashtags of title and body, without repeats. */
    public static List<String> tickers(List<String> fromSource, String title, String body) {
        Set<String> all = new LinkedHashSet<>(fromSource);
        all.addAll(cashtags(title));
        all.addAll(cashtags(body));
        return new ArrayList<>(all);
    }
}
