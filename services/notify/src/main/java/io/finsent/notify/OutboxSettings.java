package io.finsent.notify;

import java.time.Duration;
import java.util.Objects;

/**
 * How {@link OutboxDispatcher} works through the outbox.
 *
 * @param batchSize       rows claimed per {@link OutboxDispatcher#dispatchDue()} call
 * @param maxAttempts     delivery attempts before a notification is marked failed
 * @param backoffBase     delay before the first retry; doubles per attempt, with jitter
 * @param backoffMax      longest delay between attempts
 * @param requestTimeout  longest wait for a receiver's response, connecting included
 * @param maxPayloadBytes larger payloads are marked failed without being sent
 */
public record OutboxSettings(int batchSize, int maxAttempts, Duration backoffBase, Duration backoffMax,
                             Duration requestTimeout, int maxPayloadBytes) {

    public OutboxSettings {
        Objects.requireNonNull(backoffBase, "backoffBase");
        Objects.requireNonNull(backoffMax, "backoffMax");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        if (batchSize < 1 || batchSize > 1000) {
            throw new IllegalArgumentException("batchSize must be 1..1000, was " + batchSize);
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
        }
        if (backoffBase.isNegative() || backoffBase.isZero() || backoffMax.compareTo(backoffBase) < 0) {
            throw new IllegalArgumentException("backoffBase must be positive and no longer than backoffMax (" + backoffBase
                    + ", " + backoffMax + ")");
        }
        if (requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("requestTimeout must be positive, was " + requestTimeout);
        }
        if (maxPayloadBytes < 1) {
            throw new IllegalArgumentException("maxPayloadBytes must be positive, was " + maxPayloadBytes);
        }
    }

    /** 50 rows a batch, 10 attempts, backoff 30 s doubling up to 1 h, 10 s request timeout, 256 KiB payloads. */
    public static OutboxSettings defaults() {
        return new OutboxSettings(50, 10, Duration.ofSeconds(30), Duration.ofHours(1), Duration.ofSeconds(10), 256 * 1024);
    }

    /**
     * The delay after failed attempt number {@code attempt} (1-based): {@code d = min(backoffMax,
     * backoffBase * 2^(attempt-1))}, then a uniformly random point in {@code [d/2, d]} given
     * {@code random} in {@code [0, 1)}.
     */
    Duration retryDelay(int attempt, double random) {
        long baseMillis = backoffBase.toMillis();
        long maxMillis = backoffMax.toMillis();
        int doublings = Math.max(0, Math.min(attempt - 1, 40));
        double raw = baseMillis * Math.pow(2, doublings);
        long capped = (long) Math.min(raw, maxMillis);
        long half = capped / 2;
        return Duration.ofMillis(half + (long) ((capped - half) * random));
    }
}
