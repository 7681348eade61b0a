package io.finsent.encoder;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Replay must equal live: a text's result is bit-identical alone, in any batch, at any position, next to any
 * neighbours, under any token budget, batch size or intra-op thread count.
 */
class BatchInvarianceTest {

    private static final List<String> TARGETS = List.of(
            "Shares of Acme Corp fell 12% after the company cut its full-year revenue guidance.",
            "Fed holds rates.",
            "Ørsted wind-farm writedown: 日本 buyers balk; CEO says \"no comment\" as bonds slide 3bp.",
            longText(320),
            longText(700));

    private static Encoder encoder;
    private static Map<String, EncoderResult> alone;

    @BeforeAll
    static void open() {
        encoder = Encoder.open(TestModels.baseEncoder(), EncoderOptions.defaults().withDevice(Device.CPU));
        alone = new LinkedHashMap<>();
        for (String target : TARGETS) {
            alone.put(target, encoder.encode(target));
        }
    }

    @AfterAll
    static void close() {
        encoder.close();
    }

    @Test
    void resultIsBitIdenticalInAnyBatchAtAnyPosition() {
        Random random = new Random(42);
        for (int neighbours : new int[] {1, 6, 31, 100}) {
            List<String> batch = neighbours(random, neighbours);
            for (int where = 0; where < 3; where++) {
                List<String> texts = new ArrayList<>(batch);
                int[] positions = new int[TARGETS.size()];
                for (int t = 0; t < TARGETS.size(); t++) {
                    int position = switch (where) {
                        case 0 -> t;
                        case 1 -> (texts.size() + 1) / 2;
                        default -> texts.size();
                    };
                    texts.add(position, TARGETS.get(t));
                    for (int earlier = 0; earlier < t; earlier++) {
                        if (positions[earlier] >= position) {
                            positions[earlier]++;
                        }
                    }
                    positions[t] = position;
                }

                List<EncoderResult> results = encoder.encodeAll(texts).results();

                for (int t = 0; t < TARGETS.size(); t++) {
                    assertBitIdentical(results.get(positions[t]), alone.get(TARGETS.get(t)),
                            "target %d among %d neighbours at position %d", t, neighbours, positions[t]);
                }
            }
        }
    }

    @Test
    void resultIsBitIdenticalAcrossBudgetsBatchSizesAndThreads() {
        List<String> texts = new ArrayList<>(neighbours(new Random(7), 40));
        texts.addAll(TARGETS);
        EncoderOptions base = EncoderOptions.defaults().withDevice(Device.CPU);
        List<EncoderOptions> variants = List.of(
                base.withTokenBudget(256).withMaxBatchSize(3),
                base.withTokenBudget(32_768).withMaxBatchSize(256),
                base.withMaxBatchSize(1),
                base.withIntraOpThreads(1),
                base.withIntraOpThreads(4));
        for (EncoderOptions options : variants) {
            try (Encoder other = Encoder.open(TestModels.baseEncoder(), options)) {
                List<EncoderResult> results = other.encodeAll(texts).results();
                for (int t = 0; t < TARGETS.size(); t++) {
                    assertBitIdentical(results.get(texts.size() - TARGETS.size() + t), alone.get(TARGETS.get(t)),
                            "options %s", options);
                }
            }
        }
    }

    static List<java.nio.file.Path> shippedModels() {
        return TestModels.shippedSentimentModels();
    }

    /** Each shipped model: the float one and the static int8 one (its scales are fixed, so no batch moves them). */
    @ParameterizedTest
    @MethodSource("shippedModels")
    void sentimentModelsProbabilitiesAreBitIdenticalInAnyBatch(java.nio.file.Path model) {
        try (Encoder sentiment = Encoder.open(model, EncoderOptions.defaults().withDevice(Device.CPU))) {
            List<String> targets = List.of(TARGETS.get(0), TARGETS.get(2), longText(900));
            List<EncoderResult> single = new ArrayList<>();
            for (String target : targets) {
                single.add(sentiment.encode(target));
            }
            List<String> texts = new ArrayList<>(neighbours(new Random(3), 24));
            texts.add(0, targets.get(0));
            texts.add(12, targets.get(1));
            texts.add(targets.get(2));

            List<EncoderResult> results = sentiment.encodeAll(texts).results();

            assertThat(single.get(0).sentiment()).isNotNull();
            assertThat(single.get(2).windows()).isGreaterThan(1);
            assertBitIdentical(results.get(0), single.get(0), "first");
            assertBitIdentical(results.get(12), single.get(1), "middle");
            assertBitIdentical(results.get(texts.size() - 1), single.get(2), "last, several windows");
        }
    }

    @Test
    void sameTextTwiceInOneBatchGivesTheSameResult() {
        List<EncoderResult> results = encoder.encodeAll(List.of(TARGETS.get(0), TARGETS.get(1), TARGETS.get(0)))
                .results();

        assertBitIdentical(results.get(2), results.get(0), "duplicate");
    }

    private static void assertBitIdentical(EncoderResult actual, EncoderResult expected, String what, Object... args) {
        assertThat(actual.embedding()).as(what, args).isEqualTo(expected.embedding());
        assertThat(actual.windows()).isEqualTo(expected.windows());
        assertThat(actual.tokens()).isEqualTo(expected.tokens());
        assertThat(actual.sentiment()).isEqualTo(expected.sentiment());
    }

    /** Financial-looking sentences of random lengths, many in the same length buckets as the targets. */
    private static List<String> neighbours(Random random, int count) {
        String[] words = {"revenue", "guidance", "shares", "bond", "yield", "merger", "quarter", "profit", "loss",
            "outlook", "dividend", "rallied", "slumped", "analysts", "expect", "the", "board", "approved", "buyback"};
        List<String> texts = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int length = random.nextInt(20) == 0 ? 150 + random.nextInt(250) : 3 + random.nextInt(40);
            StringBuilder text = new StringBuilder();
            for (int w = 0; w < length; w++) {
                text.append(words[random.nextInt(words.length)]).append(' ');
            }
            texts.add(text.toString().trim());
        }
        return texts;
    }

    private static String longText(int words) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < words; i++) {
            text.append(i % 7 == 0 ? "Markets" : "steady").append(i % 11 == 0 ? ". " : " ");
        }
        return text.toString();
    }
}
