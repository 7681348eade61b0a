package io.finsent.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A text with nothing a reader can see is invisible; any visible character makes it visible. */
class InvisibleTextTest {

    @ParameterizedTest
    @ValueSource(strings = {"", " \t\n", "\u200b", "\u200c\u200d\u200e\u200f", "\u2060\u2061\u2062\u2063\u2064", "\ufeff",
            "\u202a\u202b\u202c\u202d\u202e", "\u2066\u2067\u2068\u2069", "\udb40\udc01\udb40\udc7f", "\u00ad", "\u034f",
            "\u3164\u115f", "\ufe0f", "\u2800", "\u3000\u00a0"})
    void onlyInvisibleCharactersIsInvisible(String text) {
        assertThat(InvisibleText.isInvisible(text)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {".", "a\u200b", "\u202eup", "\ud83d\udc4d", "\u0915\u094d\u200d", "\u00e9"})
    void anyVisibleCharacterMakesItVisible(String text) {
        assertThat(InvisibleText.isInvisible(text)).isFalse();
    }
}
