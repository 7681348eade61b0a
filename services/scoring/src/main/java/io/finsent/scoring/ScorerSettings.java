package io.finsent.scoring;

import java.time.Duration;

/**
 * How the scorer buffers texts before a model call.
 *
 * @param maxBatchTexts flush when this many texts wait
 * @param tokenBudget flush when the waiting texts hold about this many tokens (estimated from their length;
 *     the encoder splits what it gets into model calls by exact token counts)
 * @param maxWait flush when the oldest waiting text has waited this long (wall clock)
 * @param maxTextChars texts longer than this go to the dead-letter topic instead of the encoder
 */
public record ScorerSettings(int maxBatchTexts, int tokenBudget, Duration maxWait, int maxTextChars) {

    /** Average characters per word-piece token in English news, used only to decide when to flush. */
    static final int CHARS_PER_TOKEN = 4;

    public ScorerSettings {
        if (maxBatchTexts < 1 || tokenBudget < 1 || maxTextChars < 1 || maxWait.isNegative() || maxWait.isZero()) {
            throw new IllegalArgumentException("scorer settings must be positive: " + maxBatchTexts + ", " + tokenBudget
                    + ", " + maxWait + ", " + maxTextChars);
        }
    }

    public static ScorerSettings defaults() {
        return new ScorerSettings(256, 16_384, Duration.ofMillis(500), 200_000);
    }

    /** Tokens of a text estimated from the size of its record (Avro holds the text as UTF-8). */
    static int estimatedTokens(int recordBytes) {
        return 2 + recordBytes / CHARS_PER_TOKEN;
    }
}
