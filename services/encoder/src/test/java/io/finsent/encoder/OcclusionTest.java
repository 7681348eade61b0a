package io.finsent.encoder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * Occlusion explanations: words and their offsets, the text without chosen words, and with the fine-tuned model a
 * negative headline whose heaviest words are the ones that carry its tone, an explanation independent of what is explained
 * beside it, and the cap on words.
 */
class OcclusionTest {

    @Test
    void wordsKeepNumbersCashtagsAndContractionsWholeWithTheirOffsets() {
        String text = "$AAPL isn't up 3.5% y/y; S&P-500 fell.";
        List<Occlusion.Word> words = Occlusion.words(text);
        assertThat(words).extracting(Occlusion.Word::text).containsExactly("$AAPL", "isn't", "up", "3.5%", "y/y", "S&P-500", "fell");
        for (Occlusion.Word w : words) {
            assertThat(text.substring(w.start(), w.end())).isEqualTo(w.text());
        }
        assertThat(Occlusion.without(text, words, List.of(6, 0, 3))).isEqualTo(" isn't up  y/y; S&P-500 .");
        assertThat(Occlusion.words("  ... -- !! ")).isEmpty();
        assertThat(Occlusion.words("")).isEmpty();
    }

    @Test
    void theWordsThatMakeAHeadlineNegativeWeighMostAndTheExplanationDoesNotDependOnItsBatch() {
        Path model = TestModels.sentimentModelOrNull();
        assumeTrue(model != null, "models/finsent-sentiment/ does not exist yet");
        String text = "Operating profit collapsed and the company warned of heavy losses and layoffs";
        try (Encoder encoder = Encoder.open(model, EncoderOptions.defaults().withDevice(Device.CPU))) {
            Occlusion.Explanation alone = Occlusion.explain(encoder, text, Occlusion.DEFAULT_MAX_WORDS);

            assertThat(alone.label()).isEqualTo("negative");
            assertThat(alone.probabilities().keySet()).containsExactly("negative", "neutral", "positive");
            assertThat(alone.probabilities().values().stream().mapToDouble(Double::doubleValue).sum()).isCloseTo(1.0,
                    offset(1e-4));
            assertThat(alone.tokens()).hasSize(Occlusion.words(text).size());
            List<String> heaviest = alone.heaviest(3).stream().map(i -> alone.tokens().get(i).text()).toList();
            assertThat(heaviest).containsAnyOf("collapsed", "losses", "warned", "layoffs");
            assertThat(heaviest).doesNotContain("the", "and", "of");
            // removing the three heaviest words lowers the label's probability more than removing the three lightest
            Sentiment full = encoder.encode(text).sentiment();
            List<Integer> lightest = ascending(alone).subList(0, 3);
            double dropTop = full.pNegative() - encoder.encode(Occlusion.without(text, alone.tokens(), alone.heaviest(3))).sentiment().pNegative();
            double dropLight = full.pNegative() - encoder.encode(Occlusion.without(text, alone.tokens(), lightest)).sentiment().pNegative();
            assertThat(dropTop).isGreaterThan(dropLight);

            // The same text explained beside others gets bit-identical weights
            List<Occlusion.Explanation> together = Occlusion.explainAll(encoder,
                    List.of("Shares rose after the upbeat results", text, "The meeting is on Thursday"), Occlusion.DEFAULT_MAX_WORDS);
            assertThat(together.get(1)).isEqualTo(alone);

            // Over the cap: a clear error, no work done
            assertThatThrownBy(() -> Occlusion.explain(encoder, text, 5)).isInstanceOf(Occlusion.TooManyWords.class)
                    .hasMessageContaining("has 12 words").hasMessageContaining("at most 5");
        }
    }

    /** Word indices, lightest first. */
    private static List<Integer> ascending(Occlusion.Explanation e) {
        List<Integer> all = new ArrayList<>(e.heaviest(e.tokens().size()));
        Collections.reverse(all);
        return all;
    }
}
