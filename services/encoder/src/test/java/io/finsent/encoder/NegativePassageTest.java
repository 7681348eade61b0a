package io.finsent.encoder;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A strongly negative sentence in a long neutral text moves the document towards negative wherever it sits (start,
 * middle, end): windows cover the whole text and the combination keeps every window's contribution. With the
 * fine-tuned sentiment model the document's negative probability rises; with the base encoder (no labels) the
 * document's embedding moves towards the negative sentence's.
 */
class NegativePassageTest {

    private static final String NEGATIVE = "The company collapsed into bankruptcy after auditors uncovered massive"
            + " accounting fraud, wiping out shareholders as the stock crashed 95 percent.";

    private static final String[] NEUTRAL = {
        "The company will publish its quarterly report on Thursday morning.",
        "The annual general meeting is scheduled for the second week of May.",
        "Its headquarters are located in the city centre near the central station.",
        "The board consists of nine members, four of whom are independent.",
        "The firm employs about two thousand people across three countries.",
        "Trading in the shares takes place on the main market of the exchange.",
        "The fiscal year ends on the last day of December.",
        "A conference call for analysts will follow the release of the results.",
    };

    @Test
    void negativeSentenceMovesTheBaseEncodersDocumentEmbeddingTowardsItAnywhere() {
        try (Encoder encoder = Encoder.open(TestModels.baseEncoder(), EncoderOptions.defaults().withDevice(Device.CPU))) {
            String neutral = neutralText();
            List<String> texts = List.of(NEGATIVE, neutral, insert(neutral, 0), insert(neutral, 1), insert(neutral, 2));

            List<EncoderResult> results = encoder.encodeAll(texts).results();

            float[] negative = results.get(0).embedding();
            double baseline = cosine(results.get(1).embedding(), negative);
            assertThat(results.get(1).windows()).isGreaterThanOrEqualTo(3);
            for (int place = 0; place < 3; place++) {
                EncoderResult document = results.get(2 + place);
                assertThat(document.windows()).isGreaterThanOrEqualTo(3);
                assertThat(cosine(document.embedding(), negative)).as("negative sentence at place %d", place)
                        .isGreaterThan(baseline + 0.02);
            }
        }
    }

    static List<Path> shippedModels() {
        return TestModels.shippedSentimentModels();
    }

    @ParameterizedTest
    @MethodSource("shippedModels")
    void negativeSentenceRaisesTheSentimentModelsNegativeProbabilityAnywhere(Path model) {
        try (Encoder encoder = Encoder.open(model, EncoderOptions.defaults().withDevice(Device.CPU))) {
            String neutral = neutralText(encoder.windows().capacity());
            List<String> texts = List.of(neutral, insert(neutral, 0), insert(neutral, 1), insert(neutral, 2));

            List<EncoderResult> results = encoder.encodeAll(texts).results();

            Sentiment baseline = results.get(0).sentiment();
            for (int place = 0; place < 3; place++) {
                Sentiment document = results.get(1 + place).sentiment();
                assertThat(results.get(1 + place).windows()).isGreaterThanOrEqualTo(3);
                assertThat(document.pNegative()).as("negative sentence at place %d", place)
                        .isGreaterThan(baseline.pNegative());
                assertThat(document.mostNegativeWindowPNegative()).isGreaterThan(baseline.mostNegativeWindowPNegative())
                        .isGreaterThanOrEqualTo(document.pNegative());
            }
        }
    }

    /** About three windows of the base encoder (window 128) of neutral company facts. */
    private static String neutralText() {
        return neutralText(126);
    }

    private static String neutralText(int windowCapacity) {
        StringBuilder text = new StringBuilder();
        int sentences = Math.max(24, windowCapacity * 3 / 12);
        for (int i = 0; i < sentences; i++) {
            text.append(NEUTRAL[i % NEUTRAL.length]).append(' ');
        }
        return text.toString().trim();
    }

    /** The neutral text with the negative sentence at its start (0), middle (1) or end (2). */
    private static String insert(String neutral, int place) {
        List<String> sentences = new ArrayList<>(List.of(neutral.split("(?<=\\.) ")));
        int at = switch (place) {
            case 0 -> 0;
            case 1 -> sentences.size() / 2;
            default -> sentences.size();
        };
        sentences.add(at, NEGATIVE);
        return String.join(" ", sentences);
    }

    private static double cosine(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }
}
