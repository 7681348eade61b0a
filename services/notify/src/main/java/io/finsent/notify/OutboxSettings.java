package io.finsent.notify;

import java.time.Duration;
import java.util.Objects;

import io.finsent.common.Backoff;

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
        try {
            new Backoff(backoffBase, backoffMax);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("backoffBase and backoffMax: " + e.getMessage(), e);
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

    /** The retry waits: {@code backoffBase} doubling up to {@code backoffMax}. */
    public Backoff backoff() {
        return new Backoff(backoffBase, backoffMax);
    }

    /**
     * The delay after failed attempt number {@code attempt} (1-based): {@code d = min(backoffMax,
     * backoffBase * 2^(attempt-1))}, then a uniformly random point in {@code [d/2, d]} given
     * {@code random} in {@code [0, 1)}.
     */
    Duration retryDelay(int attempt, double random) {
        return backoff().jittered(attempt, random);
    }
}
