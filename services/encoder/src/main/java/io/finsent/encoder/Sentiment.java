package io.finsent.encoder;

/**
 * The sentiment of one text. For a text of several windows the probabilities are the token-weighted mean of the
 * windows' probabilities.
 *
 * @param label the most probable of {@code negative}, {@code neutral}, {@code positive}
 * @param score {@code pPositive - pNegative}, in [-1, 1]
 * @param mostNegativeWindowPNegative the highest window-level negative probability (equals {@code pNegative} for a
 *     single-window text): a short negative passage in a long neutral text shows here even when the mean dilutes it
 */
public record Sentiment(
        String label,
        double pNegative,
        double pNeutral,
        double pPositive,
        double score,
        double mostNegativeWindowPNegative) {
}
