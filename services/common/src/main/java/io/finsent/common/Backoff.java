package io.finsent.common;

import java.time.Duration;
import java.util.Objects;

/**
 * Exponential backoff: after the n-th failure in a row wait {@code d = min(max, base × 2^(n−1))}, or with jitter a uniformly random
 * point in {@code [d/2, d]}. One owner for the retry waits of the trend sink, the feed poller and the notification outbox.
 */
public record Backoff(Duration base, Duration max) {

    public Backoff {
        Objects.requireNonNull(base, "base");
        Objects.requireNonNull(max, "max");
        if (base.isNegative() || base.isZero() || max.compareTo(base) < 0) {
            throw new IllegalArgumentException("a backoff's base must be positive and no longer than its maximum (" + base + ", " + max + ")");
        }
    }

    /** The wait after the {@code failures}-th failure in a row (1-based; 0 or less counts as 1). */
    public Duration delay(int failures) {
        int doublings = Math.max(0, Math.min(failures - 1, 40));
        double raw = base.toMillis() * Math.pow(2, doublings);
        return Duration.ofMillis((long) Math.min(raw, max.toMillis()));
    }

    /** {@link #delay}, moved to a point in {@code [d/2, d]} given {@code random} in {@code [0, 1)}. */
    public Duration jittered(int failures, double random) {
        long capped = delay(failures).toMillis();
        long half = capped / 2;
        return Duration.ofMillis(half + (long) ((capped - half) * random));
    }
}
