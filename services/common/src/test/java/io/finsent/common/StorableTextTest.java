package io.finsent.common;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StorableTextTest {

    @Test
    void controlCharactersBelowSpaceButTabAndLineBreaksAndLoneSurrogatesAreRefused() {
        for (char c = 0; c < 0x20; c++) {
            String value = "ab" + c + "cd";
            boolean allowed = c == '\t' || c == '\n' || c == '\r';
            assertThat(StorableText.firstRefused(value)).as("U+%04X", (int) c).isEqualTo(allowed ? -1 : 2);
        }
        assertThat(StorableText.firstRefused("x\uD800y")).isEqualTo(1);
        assertThat(StorableText.firstRefused("x\uDC00")).isEqualTo(1);
        assertThat(StorableText.firstRefused("\uD800")).isZero();
        assertThat(StorableText.refusal("a\u0000")).startsWith("holds the control character U+0000 at position 1");
        assertThat(StorableText.refusal("\uDFFF")).startsWith("holds a lone surrogate U+DFFF at position 0");
    }

    @Test
    void everythingElseMayBeStored() {
        assertThat(StorableText.firstRefused("")).isEqualTo(-1);
        assertThat(StorableText.firstRefused("Tabs\tand\r\nlines, café, 日経, \uD83D\uDCC9, \u007F\u0085\u200B")).isEqualTo(-1);
        assertThat(StorableText.refusal(null)).isNull();
        assertThat(StorableText.refusal("plain")).isNull();
    }
}
