package io.finsent.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

class DeduplicationHorizonTest {

    /** A clock the test moves. */
    static final class ManualClock extends Clock {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private final ManualClock clock = new ManualClock();

    @Test
    void anIdIsNewOnceWithinTheHorizon() {
        DeduplicationHorizon horizon = new DeduplicationHorizon(100, Duration.ofHours(1), clock);

        assertThat(horizon.firstSeen("a")).isTrue();
        assertThat(horizon.firstSeen("a")).isFalse();
        assertThat(horizon.firstSeen("b")).isTrue();
        assertThat(horizon.contains("a")).isTrue();
    }

    @Test
    void theOldestIdsAreForgottenPastTheCount() {
        DeduplicationHorizon horizon = new DeduplicationHorizon(2, Duration.ofHours(1), clock);
        horizon.firstSeen("a");
        horizon.firstSeen("b");
        horizon.firstSeen("c");

        assertThat(horizon.size()).isEqualTo(2);
        assertThat(horizon.contains("a")).isFalse();
        assertThat(horizon.firstSeen("c")).isFalse();
    }

    @Test
    void idsOlderThanTheHorizonAreForgotten() {
        DeduplicationHorizon horizon = new DeduplicationHorizon(100, Duration.ofMinutes(10), clock);
        horizon.firstSeen("a");
        clock.now = clock.now.plus(Duration.ofMinutes(5));
        horizon.firstSeen("b");
        clock.now = clock.now.plus(Duration.ofMinutes(6));

        assertThat(horizon.contains("a")).isFalse();
        assertThat(horizon.contains("b")).isTrue();
        assertThat(horizon.firstSeen("a")).isTrue();
    }

    @Test
    void aForgottenIdCanBePublishedAgain() {
        DeduplicationHorizon horizon = new DeduplicationHorizon(100, Duration.ofMinutes(10), clock);
        horizon.firstSeen("a");
        horizon.forget("a");

        assertThat(horizon.firstSeen("a")).isTrue();
    }

    @Test
    void anEmptyHorizonIsAConfigurationError() {
        assertThatThrownBy(() -> new DeduplicationHorizon(0, Duration.ofMinutes(1), clock)).hasMessageContaining("at least one id");
        assertThatThrownBy(() -> new DeduplicationHorizon(1, Duration.ZERO, clock)).hasMessageContaining("positive");
    }
}
