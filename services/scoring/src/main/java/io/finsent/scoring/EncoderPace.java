package io.finsent.scoring;

import java.time.Duration;

/**
 * The encoder's measured time per estimated token, shared by every task of a topology (they share one encoder), so
 * that a batch can be cut to a time budget before it is handed over. Tokens are estimated from record sizes exactly as
 * the buffer estimates them, so the estimate's bias cancels out; the pace follows the stream as it runs (an
 * exponentially weighted mean over calls, weighted by their tokens), so long articles and short posts each get
 * batches that take about the budget.
 */
final class EncoderPace {

    /** Weight of the newest call, per estimated token it held, relative to a batch of {@link #FULL_WEIGHT_TOKENS}. */
    private static final double NEWEST_WEIGHT = 0.3;
    private static final double FULL_WEIGHT_TOKENS = 4096;

    private double nanosPerToken = Double.NaN;

    /** Records a model call over {@code estimatedTokens} that took {@code took} in the encoder. */
    synchronized void record(long estimatedTokens, Duration took) {
        if (estimatedTokens <= 0 || took.isNegative() || took.isZero()) {
            return;
        }
        double measured = (double) took.toNanos() / estimatedTokens;
        if (Double.isNaN(nanosPerToken)) {
            nanosPerToken = measured;
            return;
        }
        double weight = NEWEST_WEIGHT * Math.min(1.0, estimatedTokens / FULL_WEIGHT_TOKENS);
        nanosPerToken += weight * (measured - nanosPerToken);
    }

    /** Estimated tokens that fit in {@code budget}; {@link Long#MAX_VALUE} before the first call is measured. */
    synchronized long tokensWithin(Duration budget) {
        if (Double.isNaN(nanosPerToken)) {
            return Long.MAX_VALUE;
        }
        return Math.max(1, (long) (budget.toNanos() / nanosPerToken));
    }

    /** Seconds per estimated token, NaN before the first call. */
    synchronized double secondsPerToken() {
        return nanosPerToken / 1e9;
    }
}
