package io.finsent.alerting.trends;

import io.finsent.schema.TopicTrendWindow;

/**
 * One closed event-time window of one topic, as the rules see it: counts per label and the score's mean
 * and spread. Built from a {@link TopicTrendWindow} record or a trend row in PostgreSQL.
 */
public record TrendPoint(String topic, long windowStart, long windowSizeMs, long count, long negative, long neutral,
                         long positive, double meanScore, double scoreStddev) {

    public static TrendPoint of(TopicTrendWindow w) {
        return new TrendPoint(w.getTopic(), w.getWindowStart().toEpochMilli(), w.getWindowSizeMs(), w.getCount(), w.getNegative(),
                w.getNeutral(), w.getPositive(), w.getMeanScore(), w.getScoreStddev());
    }

    public long windowEnd() {
        return windowStart + windowSizeMs;
    }

    /** Negative share of the window; 0 for an empty one. */
    public double negativeShare() {
        return count == 0 ? 0 : (double) negative / count;
    }

    /** A window of the topic in which nothing arrived. */
    public static TrendPoint empty(String topic, long windowStart, long windowSizeMs) {
        return new TrendPoint(topic, windowStart, windowSizeMs, 0, 0, 0, 0, 0, 0);
    }
}
