package io.finsent.encoder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every text gets a defined result, whatever its length or characters: long texts are windowed (never silently
 * truncated), odd input is scored or rejected with a typed error, never a crash. Uses the base encoder (window 128).
 */
class EncoderTest {

    private static Encoder encoder;
    private static int capacity;

    @BeforeAll
    static void open() {
        encoder = Encoder.open(TestModels.baseEncoder(), EncoderOptions.defaults().withDevice(Device.CPU));
        capacity = encoder.windows().capacity();
    }

    @AfterAll
    static void close() {
        encoder.close();
    }

    @Test
    void textOfExactlyTheWindowLengthIsOneWindow() {
        EncoderResult result = encoder.encode(textOfTokens(capacity));

        assertThat(capacity).isEqualTo(126);
        assertThat(result.tokens()).isEqualTo(capacity);
        assertThat(result.windows()).isEqualTo(1);
        assertThat(result.windowsCapped()).isFalse();
        assertThat(result.embedding()).hasSize(384);
        assertThat(result.sentiment()).isNull();
    }

    @Test
    void oneTokenMoreIsTwoWindows() {
        EncoderResult result = encoder.encode(textOfTokens(capacity + 1));

        assertThat(result.tokens()).isEqualTo(capacity + 1);
        assertThat(result.windows()).isEqualTo(2);
        assertThat(result.windowsCapped()).isFalse();
    }

    @Test
    void tenWindowsOfTextAreAllScored() {
        EncodedBatch batch = encoder.encodeAll(List.of(textOfTokens(10 * 128)));
        EncoderResult result = batch.results().get(0);

        assertThat(result.tokens()).isEqualTo(1280);
        assertThat(result.windows()).isEqualTo(encoder.windows().plan(1280).spans().size()).isEqualTo(14);
        assertThat(result.windowsCapped()).isFalse();
        assertThat(batch.stats().windows()).isEqualTo(14);
        assertThat(batch.stats().realTokenShare()).isEqualTo(1.0);
        assertFinite(result.embedding());
    }

    @Test
    void emptyAndWhitespaceOnlyTextsAreScoredAsZeroTokens() {
        EncodedBatch batch = encoder.encodeAll(List.of("", "   \t\n  ", "\u00A0\u2003"));

        assertThat(batch.results()).allSatisfy(result -> {
            assertThat(result.tokens()).isZero();
            assertThat(result.windows()).isEqualTo(1);
            assertFinite(result.embedding());
        });
        assertThat(batch.results().get(1).embedding()).isEqualTo(batch.results().get(0).embedding());
    }

    @Test
    void tenMegabyteTextIsCoveredByCappedWindowsAndSaysSo() {
        String sentence = "Revenue rose 4% while margins narrowed amid higher input costs. ";
        String huge = sentence.repeat(10 * 1024 * 1024 / sentence.length() + 1);

        EncoderResult result = encoder.encode(huge);

        assertThat(huge.length()).isGreaterThanOrEqualTo(10 * 1024 * 1024);
        assertThat(result.windowsCapped()).isTrue();
        assertThat(result.windows()).isEqualTo(EncoderOptions.DEFAULT_MAX_WINDOWS_PER_TEXT);
        assertThat(result.tokens()).isGreaterThan(1_000_000);
        assertFinite(result.embedding());
    }

    @Test
    void unpairedSurrogatesAreScoredAsReplacementCharacters() {
        EncodedBatch batch = encoder.encodeAll(List.of("Stock \uD800 fell", "Stock \uFFFD fell", "\uDC00", "ok \uD83D\uDCC9"));

        assertThat(batch.results().get(0).embedding()).isEqualTo(batch.results().get(1).embedding());
        assertThat(batch.results()).allSatisfy(result -> assertFinite(result.embedding()));
    }

    @Test
    void controlCharactersAndNonLatinScriptsAreScored() {
        List<String> texts = List.of(
                "Profit\u0000 warning\u0007\u001B[31m issued\r\n",
                "\u0000\u0001\u0002",
                "日経平均株価は3%下落した",
                "Акции компании упали на 5%",
                "الأسهم ترتفع بعد نتائج قوية",
                "शेयर बाजार में गिरावट",
                "\u202EReversed\u202C text with bidi controls",
                "emoji 📉📈💸 only");

        EncodedBatch batch = encoder.encodeAll(texts);

        assertThat(batch.results()).hasSize(texts.size()).allSatisfy(result -> {
            assertThat(result.windows()).isEqualTo(1);
            assertFinite(result.embedding());
        });
        assertThat(batch.results().get(2).tokens()).isPositive();
    }

    @Test
    void nullTextIsRejectedWithItsIndex() {
        assertThatThrownBy(() -> encoder.encodeAll(Arrays.asList("fine", null)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("text 1 of 2 is null");
        assertThatThrownBy(() -> encoder.encode(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("text 0 of 1 is null");
    }

    @Test
    void statsCountRealAndPaddedTokensAndTime() {
        EncodedBatch batch = encoder.encodeAll(List.of("short one", textOfTokens(40), textOfTokens(41)));

        EncodeStats stats = batch.stats();
        assertThat(stats.texts()).isEqualTo(3);
        assertThat(stats.realTokens()).isEqualTo((2 + 2) + (40 + 2) + (41 + 2));
        assertThat(stats.paddedTokens()).isEqualTo(8 + 48 + 48);
        assertThat(stats.calls()).isEqualTo(2);
        assertThat(stats.realTokenShare()).isBetween(0.8, 1.0);
        assertThat(stats.tokenizationNanos()).isPositive();
        assertThat(stats.inferenceNanos()).isPositive();
    }

    /** A text of exactly {@code tokens} tokens for the base encoder's WordPiece vocabulary. */
    static String textOfTokens(int tokens) {
        String text = "market ".repeat(tokens).trim();
        int actual = encoder.encode(text).tokens();
        assertThat(actual).as("tokens of the probe text").isEqualTo(tokens);
        return text;
    }

    static void assertFinite(float[] values) {
        for (float value : values) {
            assertThat(Float.isFinite(value)).isTrue();
        }
    }
}
