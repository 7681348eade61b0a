package io.finsent.bench.explain;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.IntConsumer;

import io.finsent.bench.eval.LabelledText;
import io.finsent.encoder.Device;
import io.finsent.encoder.Encoder;
import io.finsent.encoder.EncoderOptions;
import io.finsent.encoder.EncoderResult;
import io.finsent.encoder.Occlusion;

/**
 * Faithfulness of the occlusion explanations ({@code ./monitor bench explain}): for each labelled negative or positive text,
 * the drop in the predicted label's probability when its {@value #K} highest-weighted words are removed together, against
 * {@value #K} words drawn at random (seeded per text, so a re-run draws the same); their means, the ratio of the two means,
 * and explanations per second (the occlusion passes only, not the deletion checks). Texts of fewer than {@code K + 1} words
 * are left out (removing all of them says nothing).
 */
public final class ExplainBenchmark {

    /** Words removed per text. */
    public static final int K = 3;
    /** Texts explained per encoder call. */
    private static final int CHUNK = 16;

    /** The figures; {@code texts}: texts measured, {@code skipped}: texts of too few (or too many) words. */
    public record Result(String model, String device, int texts, int skipped, double deletionDropTop, double deletionDropRandom,
                         double faithfulnessRatio, double explanationsPerSecond, double seconds) {

        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("model", model);
            m.put("device", device);
            m.put("texts", texts);
            m.put("skipped", skipped);
            m.put("k", K);
            m.put("deletion_drop_top", deletionDropTop);
            m.put("deletion_drop_random", deletionDropRandom);
            m.put("faithfulness_ratio", faithfulnessRatio);
            m.put("explanations_per_s", explanationsPerSecond);
            m.put("seconds", seconds);
            return m;
        }
    }

    private ExplainBenchmark() {
    }

    /** @param progress told how many texts are done, after each chunk */
    public static Result run(Path modelDir, Device device, List<LabelledText> rows, int maxWords, IntConsumer progress) {
        long started = System.nanoTime();
        List<String> texts = new ArrayList<>();
        int skipped = 0;
        for (LabelledText row : rows) {
            if (!polar(row)) {
                continue;
            }
            int words = Occlusion.words(row.text()).size();
            if (words <= K || words > maxWords) {
                skipped++;
                continue;
            }
            texts.add(row.text());
        }
        try (Encoder encoder = Encoder.open(modelDir, EncoderOptions.defaults().withDevice(device))) {
            long explaining = 0;
            double sumTop = 0;
            double sumRandom = 0;
            for (int from = 0; from < texts.size(); from += CHUNK) {
                List<String> chunk = texts.subList(from, Math.min(texts.size(), from + CHUNK));
                long t0 = System.nanoTime();
                List<Occlusion.Explanation> explanations = Occlusion.explainAll(encoder, chunk, maxWords);
                explaining += System.nanoTime() - t0;
                List<String> deleted = new ArrayList<>();
                for (int i = 0; i < chunk.size(); i++) {
                    Occlusion.Explanation e = explanations.get(i);
                    deleted.add(Occlusion.without(chunk.get(i), e.tokens(), e.heaviest(K)));
                    deleted.add(Occlusion.without(chunk.get(i), e.tokens(), randomWords(e.tokens().size(), new Random(from + i))));
                }
                List<EncoderResult> results = encoder.encodeAll(deleted).results();
                for (int i = 0; i < chunk.size(); i++) {
                    Occlusion.Explanation e = explanations.get(i);
                    double p = e.probabilities().get(e.label());
                    sumTop += p - Occlusion.probability(results.get(2 * i).sentiment(), e.label());
                    sumRandom += p - Occlusion.probability(results.get(2 * i + 1).sentiment(), e.label());
                }
                progress.accept(from + chunk.size());
            }
            int n = texts.size();
            double top = n == 0 ? 0 : sumTop / n;
            double random = n == 0 ? 0 : sumRandom / n;
            return new Result(encoder.config().name() + " " + encoder.config().version(), encoder.device().name().toLowerCase(Locale.ROOT),
                    n, skipped, top, random, random > 0 ? top / random : Double.NaN, n / (explaining / 1e9), (System.nanoTime() - started) / 1e9);
        }
    }

    /** Whether a row is one this benchmark measures: gold label negative or positive. */
    public static boolean polar(LabelledText row) {
        return row.label().equals("negative") || row.label().equals("positive");
    }

    /** {@value #K} distinct word indices out of {@code n}, drawn with {@code random}. */
    static List<Integer> randomWords(int n, Random random) {
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            all.add(i);
        }
        Collections.shuffle(all, random);
        return all.subList(0, K);
    }
}
