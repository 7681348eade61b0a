package io.finsent.ingest;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A language tag for a text that came without one. An honest heuristic, no model: the script decides
 * for Han, kana, Hangul, Arabic, Hebrew, Greek, Thai and Devanagari text (zh, ja, ko, ar, he, el, th, hi);
 * Latin-script text is tagged en, de, fr, es, it, nl or pt when at least two of its words are common
 * function words of that language and clearly more than of any other. Anything else (Cyrillic, which
 * many languages share; short texts such as "$AAPL up 3%") gets no tag: null means unknown, never a guess.
 */
public final class LanguageTagger {

    private static final Pattern WORD = Pattern.compile("\\p{L}+");
    private static final Map<String, Set<String>> FUNCTION_WORDS = Map.of(
            "en", Set.of("the", "and", "of", "to", "in", "is", "for", "on", "with", "that", "this", "are", "at", "as", "by", "from",
                    "be", "was", "it", "its", "will", "has", "have", "after", "over", "than", "up", "down", "shares", "stock"),
            "de", Set.of("der", "die", "das", "und", "ist", "nicht", "mit", "von", "den", "dem", "ein", "eine", "auf", "für", "im",
                    "sich", "auch", "aus", "zu", "wird", "bei", "nach", "aktie", "aktien"),
            "fr", Set.of("le", "la", "les", "des", "et", "est", "une", "du", "dans", "pour", "pas", "sur", "au", "aux", "avec",
                    "que", "qui", "son", "sont", "ses", "ce", "cette", "plus"),
            "es", Set.of("el", "los", "las", "del", "y", "es", "una", "por", "para", "con", "que", "se", "su", "sus", "como",
                    "más", "pero", "al", "lo", "acciones"),
            "it", Set.of("il", "lo", "gli", "della", "delle", "dei", "e", "è", "una", "per", "con", "che", "non", "sono", "nel",
                    "alla", "azioni", "anche", "più"),
            "nl", Set.of("de", "het", "een", "en", "van", "is", "niet", "met", "op", "voor", "zijn", "dat", "ook", "aan", "bij",
                    "naar", "worden", "wordt", "aandelen"),
            "pt", Set.of("o", "os", "as", "do", "da", "dos", "das", "e", "é", "um", "uma", "para", "com", "não", "que", "se",
                    "no", "na", "ações", "mais"));

    /** The inverse: for each function word, the languages it belongs to. */
    private static final Map<String, List<String>> LANGUAGES_OF = new HashMap<>();

    static {
        FUNCTION_WORDS.forEach((language, words) -> words.forEach(w -> LANGUAGES_OF.computeIfAbsent(w, k -> new ArrayList<>()).add(language)));
    }

    private LanguageTagger() {
    }

    /** The BCP 47 tag of the text's language, or null when it cannot be told with confidence. */
    public static String guess(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        String byScript = byScript(text);
        if (byScript != null) {
            return byScript;
        }
        Map<String, Integer> hits = new HashMap<>();
        Matcher words = WORD.matcher(text.toLowerCase(Locale.ROOT));
        while (words.find()) {
            for (String language : LANGUAGES_OF.getOrDefault(words.group(), List.of())) {
                hits.merge(language, 1, Integer::sum);
            }
        }
        String best = null;
        int bestHits = 0;
        int secondHits = 0;
        for (var entry : hits.entrySet()) {
            int n = entry.getValue();
            if (n > bestHits) {
                secondHits = bestHits;
                bestHits = n;
                best = entry.getKey();
            } else if (n > secondHits) {
                secondHits = n;
            }
        }
        // At least two function words, and at least 1.5 times as many as the runner-up.
        return bestHits >= 2 && bestHits * 2 >= secondHits * 3 ? best : null;
    }

    private static String byScript(String text) {
        Map<Character.UnicodeScript, Integer> counts = new HashMap<>();
        int letters = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (!Character.isLetter(cp)) {
                continue;
            }
            letters++;
            counts.merge(Character.UnicodeScript.of(cp), 1, Integer::sum);
        }
        if (letters == 0) {
            return null;
        }
        int kana = counts.getOrDefault(Character.UnicodeScript.HIRAGANA, 0) + counts.getOrDefault(Character.UnicodeScript.KATAKANA, 0);
        if (kana * 10 >= letters) {
            return "ja";
        }
        String[][] scripts = {{"HAN", "zh"}, {"HANGUL", "ko"}, {"ARABIC", "ar"}, {"HEBREW", "he"}, {"GREEK", "el"}, {"THAI", "th"},
                {"DEVANAGARI", "hi"}};
        for (String[] s : scripts) {
            if (counts.getOrDefault(Character.UnicodeScript.valueOf(s[0]), 0) * 2 > letters) {
                return s[1];
            }
        }
        return null;
    }
}
