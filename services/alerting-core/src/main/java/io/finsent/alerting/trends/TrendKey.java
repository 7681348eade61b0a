package io.finsent.alerting.trends;

/**
 * The key of a {@code topic.trends} record: {@code run|topic|windowStartMillis|windowSizeMs}. Run ids and topic
 * ids never contain '|' (checked where they enter), so the key splits unambiguously.
 */
public record TrendKey(String runId, String topic, long windowStart, long windowSizeMs) {

    @Override
    public String toString() {
        return runId + "|" + topic + "|" + windowStart + "|" + windowSizeMs;
    }

    /** Parses a key written by {@link #toString()}; anything else is an IllegalArgumentException. */
    public static TrendKey parse(String key) {
        String[] parts = key == null ? new String[0] : key.split("\\|", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("trend key '" + key + "' is not run|topic|windowStartMillis|windowSizeMs");
        }
        try {
            return new TrendKey(parts[0], parts[1], Long.parseLong(parts[2]), Long.parseLong(parts[3]));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("trend key '" + key + "' has a window start or size that is not a number", e);
        }
    }
}
