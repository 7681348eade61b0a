package io.finsent.encoder;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Why the encoder gave a text its label, word by word, by occlusion: each word's weight is how much the probability of the
 * predicted label falls when that word is removed from the text (negative when removing it raises the probability: the word
 * spoke against the label). The encoder gives no gradients, and occlusion needs none: the text and its one-word-shorter
 * variants go through {@link Encoder#encodeAll} in one call (which packs them into few batches by its token budget). The
 * runtime is batch-invariant, so a text's explanation does not depend on what else is explained with it.
 *
 * <p>Words are runs of letters and digits, with inner dots, commas, apostrophes, hyphens, slashes and ampersands
 * ({@code 3.5}, {@code isn't}, {@code year-on-year}, {@code S&P}), a leading currency sign or {@code $} (cashtags) and a
 * trailing {@code %}; {@code start} and {@code end} are offsets in the text (UTF-16 code units, as Java and JavaScript
 * count).
 */
public final class Occlusion {

    /** Words explained per text by default: the work is one model input per word (plus the text itself). */
    public static final int DEFAULT_MAX_WORDS = 256;

    private static final Pattern WORD = Pattern.compile("[$€£¥]?[\\p{L}\\p{N}]+(?:[.,'’\\-/&][\\p{L}\\p{N}]+)*%?");

    /** A word of the text and its signed weight. */
    public record Word(String text, int start, int end, double weight) {
    }

    /** The label, its probabilities (negative, neutral, positive) and each word's weight for that label, in text order. */
    public record Explanation(String label, Map<String, Double> probabilities, List<Word> tokens) {

        /** Indices of the {@code n} heaviest words (highest weight first; ties: earlier first). */
        public List<Integer> heaviest(int n) {
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < tokens.size(); i++) {
                order.add(i);
            }
            order.sort((a, b) -> {
                int byWeight = Double.compare(tokens.get(b).weight(), tokens.get(a).weight());
                return byWeight != 0 ? byWeight : Integer.compare(a, b);
            });
            return order.subList(0, Math.min(n, order.size()));
        }
    }

    /** A text over the cap: it has more words than an explanation may occlude. */
    public static final class TooManyWords extends IllegalArgumentException {

        private final int words;
        private final int maxWords;

        TooManyWords(int words, int maxWords) {
            super("the text has " + words + " words; an explanation occludes at most " + maxWords + " (one model input per word): explain a shorter"
                    + " part of it");
            this.words = words;
            this.maxWords = maxWords;
        }

        public int words() {
            return words;
        }

        public int maxWords() {
            return maxWords;
        }
    }

    private Occlusion() {
    }

    /** The words of a text, their weights 0. */
    public static List<Word> words(String text) {
        List<Word> words = new ArrayList<>();
        Matcher m = WORD.matcher(text);
        while (m.find()) {
            words.add(new Word(m.group(), m.start(), m.end(), 0));
        }
        return words;
    }

    /** The text without the words at {@code indices} (each removed with nothing put in its place). */
    public static String without(String text, List<Word> words, Collection<Integer> indices) {
        Set<Integer> removed = new TreeSet<>(indices);
        StringBuilder out = new StringBuilder(text.length());
        int at = 0;
        for (int i : removed) {
            Word w = words.get(i);
            out.append(text, at, w.start());
            at = w.end();
        }
        return out.append(text, at, text.length()).toString();
    }

    /**
     * Explains the encoder's label for one text.
     *
     * @throws TooManyWords when the text has more than {@code maxWords} words
     * @throws IllegalStateException when the encoder has no labels (an embedding-only model)
     */
    public static Explanation explain(Encoder encoder, String text, int maxWords) {
        return explainAll(encoder, List.of(text), maxWords).get(0);
    }

    /** {@link #explain} for several texts, all their variants in one {@link Encoder#encodeAll} call. */
    public static List<Explanation> explainAll(Encoder encoder, List<String> texts, int maxWords) {
        if (encoder.config().labels().isEmpty()) {
            throw new IllegalStateException("model " + encoder.config().name() + " has no labels to explain (an embedding-only encoder)");
        }
        List<List<Word>> words = new ArrayList<>();
        List<String> inputs = new ArrayList<>();
        for (String text : texts) {
            List<Word> ws = words(text);
            if (ws.size() > maxWords) {
                throw new TooManyWords(ws.size(), maxWords);
            }
            words.add(ws);
            inputs.add(text);
            for (int i = 0; i < ws.size(); i++) {
                inputs.add(without(text, ws, List.of(i)));
            }
        }
        List<EncoderResult> results = encoder.encodeAll(inputs).results();
        List<Explanation> explanations = new ArrayList<>(texts.size());
        int at = 0;
        for (List<Word> ws : words) {
            Sentiment full = results.get(at++).sentiment();
            double p = probability(full, full.label());
            List<Word> weighted = new ArrayList<>(ws.size());
            for (Word w : ws) {
                weighted.add(new Word(w.text(), w.start(), w.end(), p - probability(results.get(at++).sentiment(), full.label())));
            }
            Map<String, Double> probabilities = new LinkedHashMap<>();
            probabilities.put("negative", full.pNegative());
            probabilities.put("neutral", full.pNeutral());
            probabilities.put("positive", full.pPositive());
            explanations.add(new Explanation(full.label(), probabilities, weighted));
        }
        return explanations;
    }

    /** The probability a sentiment gives a label. */
    public static double probability(Sentiment s, String label) {
        return switch (label) {
            case "negative" -> s.pNegative();
            case "neutral" -> s.pNeutral();
            case "positive" -> s.pPositive();
            default -> throw new IllegalArgumentException("not a sentiment label: " + label);
        };
    }
}
