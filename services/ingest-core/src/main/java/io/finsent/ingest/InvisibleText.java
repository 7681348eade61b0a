package io.finsent.ingest;

/**
 * Whether a text has anything a reader can see. Invisible: whitespace, control characters, format characters
 * (zero-width space and joiners U+200B–U+200F, word joiner and invisible operators U+2060–U+2064, bidi embeddings and
 * overrides U+202A–U+202E, isolates U+2066–U+2069, U+FEFF, tag characters U+E0000–U+E007F) and Unicode's other
 * default-ignorable code points (variation selectors, Hangul fillers, the combining grapheme joiner), and the braille
 * blank. A text made only of these passes every length and emptiness check, is scored as noise and shows as a blank line
 * to an analyst, so validation refuses it; the same characters inside visible text stay (a joiner in an emoji, a mark in
 * Persian).
 */
public final class InvisibleText {

    private InvisibleText() {
    }

    /** True when the text is null, empty or holds only invisible characters. */
    public static boolean isInvisible(String text) {
        if (text == null) {
            return true;
        }
        return text.codePoints().allMatch(InvisibleText::isInvisible);
    }

    static boolean isInvisible(int cp) {
        if (Character.isWhitespace(cp) || Character.isSpaceChar(cp)) {
            return true;
        }
        int type = Character.getType(cp);
        if (type == Character.CONTROL || type == Character.FORMAT || type == Character.UNASSIGNED && cp >= 0xE0000 && cp <= 0xE0FFF) {
            return true;
        }
        // Default_Ignorable_Code_Point (Unicode DerivedCoreProperties) that are not format characters.
        return cp == 0x034F || cp == 0x115F || cp == 0x1160 || cp == 0x17B4 || cp == 0x17B5 || cp >= 0x180B && cp <= 0x180F
                || cp == 0x2800 || cp == 0x3164 || cp >= 0xFE00 && cp <= 0xFE0F || cp == 0xFFA0 || cp >= 0xFFF0 && cp <= 0xFFF8
                || cp >= 0xE0100 && cp <= 0xE01EF;
    }
}
