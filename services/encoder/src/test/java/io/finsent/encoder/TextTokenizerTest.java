package io.finsent.encoder;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The tokenizer returns the ids of the text alone, never truncated, and takes any Java string. */
class TextTokenizerTest {

    @Test
    void unpairedSurrogatesBecomeReplacementCharactersAndPairsStay() {
        assertThat(TextTokenizer.wellFormed("a\uD800b")).isEqualTo("a\uFFFDb");
        assertThat(TextTokenizer.wellFormed("\uDC00x\uD83D")).isEqualTo("\uFFFDx\uFFFD");
        assertThat(TextTokenizer.wellFormed("ok \uD83D\uDCC9 down")).isEqualTo("ok \uD83D\uDCC9 down");
        String clean = "plain text";
        assertThat(TextTokenizer.wellFormed(clean)).isSameAs(clean);
    }

    @Test
    void longTextsAreCutBeforeWhitespaceOrAtACodePointBoundary() {
        List<String> pieces = new ArrayList<>();
        String words = "word ".repeat(10_000);
        TextTokenizer.chunk(words, pieces);
        assertThat(String.join("", pieces)).isEqualTo(words);
        assertThat(pieces).hasSizeGreaterThan(1)
                .allSatisfy(p -> assertThat(p.length()).isLessThanOrEqualTo(TextTokenizer.CHUNK_CHARS));
        assertThat(pieces.subList(1, pieces.size())).allSatisfy(p -> assertThat(p).startsWith(" "));

        pieces.clear();
        String emoji = "\uD83D\uDCC9".repeat(TextTokenizer.CHUNK_CHARS);
        TextTokenizer.chunk(emoji, pieces);
        assertThat(String.join("", pieces)).isEqualTo(emoji);
        assertThat(pieces).allSatisfy(p -> assertThat(TextTokenizer.wellFormed(p)).isSameAs(p));
    }

    @Test
    void chunkedTokenizationGivesTheSameIdsAsOnePieceAndIgnoresTheShippedTruncation() throws Exception {
        Path file = TestModels.baseEncoder().resolve(ModelDirectory.TOKENIZER_FILE);
        String text = "Revenue rose 4% while margins narrowed; 日経平均 fell\tand the CEO resigned. ".repeat(1_500);

        long[] chunked;
        try (TextTokenizer tokenizer = TextTokenizer.open(file)) {
            chunked = tokenizer.tokenize(List.of(text))[0];
            assertThat(tokenizer.prefix()).containsExactly(101L);
            assertThat(tokenizer.suffix()).containsExactly(102L);
        }
        long[] whole;
        try (HuggingFaceTokenizer reference = HuggingFaceTokenizer.builder().optTokenizerPath(file)
                .optTruncation(false).optPadding(false).build()) {
            whole = reference.encode(text, false, false).getIds();
        }

        assertThat(text.length()).isGreaterThan(4 * TextTokenizer.CHUNK_CHARS);
        assertThat(chunked).hasSizeGreaterThan(128).isEqualTo(whole);
    }
}
