package io.finsent.scoring;

import java.time.Duration;

/**
 * How the scorer buffers texts before a model call, and how long its stream thread may wait for one.
 *
 * @param maxBatchTexts flush when this many texts wait
 * @param tokenBudget flush when the waiting texts hold about this many tokens (estimated from their length;
 *     the encoder splits what it gets into model calls by exact token counts)
 * @param maxWait flush when the oldest waiting text has waited this long (wall clock)
 * @param maxTextChars texts longer than this go to the dead-letter topic instead of the encoder
 * @param callBudget flush when the waiting texts would take about this long in the encoder, at the encoder time per
 *     token measured on the calls so far ({@link EncoderPace}); a single text longer than that still goes alone
 * @param streamThreadWait the longest a stream thread waits for model calls between two punctuations (and so between
 *     two commits), over all its tasks together: past it, a full buffer takes more texts instead of waiting
 *     ({@link StreamThreadTasks}). Keep it well inside {@code transaction.timeout.ms} and {@code max.poll.interval.ms}.
 * @param encoderThreads model calls run at once (one per core on CPU, each with one intra-op thread; 1 on a GPU), shared
 *     by every task and stream thread of a topology
 */
public record ScorerSettings(int maxBatchTexts, int tokenBudget, Duration maxWait, int maxTextChars, Duration callBudget,
                             Duration streamThreadWait, int encoderThreads) {

    /** Average characters per word-piece token in English news, used only to decide when to flush. */
    static final int CHARS_PER_TOKEN = 4;

    static final Duration DEFAULT_CALL_BUDGET = Duration.ofSeconds(8);
    static final Duration DEFAULT_STREAM_THREAD_WAIT = Duration.ofSeconds(2);
    static final int DEFAULT_ENCODER_THREADS = 2;

    public ScorerSettings {
        if (maxBatchTexts < 1 || tokenBudget < 1 || maxTextChars < 1 || !positive(maxWait) || !positive(callBudget)
                || streamThreadWait == null || streamThreadWait.isNegative() || encoderThreads < 1) {
            throw new IllegalArgumentException("scorer settings must be positive: max-batch-texts " + maxBatchTexts + ", token-budget "
                    + tokenBudget + ", max-wait " + maxWait + ", max-text-chars " + maxTextChars + ", call-budget " + callBudget
                    + ", stream-thread-wait " + streamThreadWait + " (may be 0), encoder-threads " + encoderThreads);
        }
    }

    /** The batch limits, with the default call budget and stream thread wait. */
    public ScorerSettings(int maxBatchTexts, int tokenBudget, Duration maxWait, int maxTextChars) {
        this(maxBatchTexts, tokenBudget, maxWait, maxTextChars, DEFAULT_CALL_BUDGET, DEFAULT_STREAM_THREAD_WAIT, DEFAULT_ENCODER_THREADS);
    }

    /** The scorer's shipped defaults (services/scorer's application.properties says why each is what it is). */
    public static ScorerSettings defaults() {
        return new ScorerSettings(256, 32_768, Duration.ofMillis(500), 200_000);
    }

    public ScorerSettings withCallBudget(Duration budget) {
        return new ScorerSettings(maxBatchTexts, tokenBudget, maxWait, maxTextChars, budget, streamThreadWait, encoderThreads);
    }

    public ScorerSettings withStreamThreadWait(Duration wait) {
        return new ScorerSettings(maxBatchTexts, tokenBudget, maxWait, maxTextChars, callBudget, wait, encoderThreads);
    }

    public ScorerSettings withEncoderThreads(int threads) {
        return new ScorerSettings(maxBatchTexts, tokenBudget, maxWait, maxTextChars, callBudget, streamThreadWait, threads);
    }

    /** Tokens of a text estimated from the size of its record (Avro holds the text as UTF-8). */
    static int estimatedTokens(int recordBytes) {
        return 2 + recordBytes / CHARS_PER_TOKEN;
    }

    private static boolean positive(Duration d) {
        return d != null && !d.isNegative() && !d.isZero();
    }
}
