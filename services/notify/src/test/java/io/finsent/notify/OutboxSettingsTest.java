package io.finsent.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;

/** Retry delays double from the base up to the cap, with jitter in the upper half. */
class OutboxSettingsTest {

    private final OutboxSettings settings = new OutboxSettings(10, 5, Duration.ofSeconds(1), Duration.ofSeconds(10),
            Duration.ofSeconds(2), 1024);

    @Test
    void delayDoublesPerAttemptWithJitterInTheUpperHalf() {
        assertThat(settings.retryDelay(1, 0.0)).isEqualTo(Duration.ofMillis(500));
        assertThat(settings.retryDelay(1, 0.999_999)).isBetween(Duration.ofMillis(999), Duration.ofSeconds(1));
        assertThat(settings.retryDelay(2, 0.0)).isEqualTo(Duration.ofSeconds(1));
        assertThat(settings.retryDelay(3, 0.5)).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void delayIsCappedEvenForHugeAttemptCounts() {
        assertThat(settings.retryDelay(5, 0.0)).isEqualTo(Duration.ofSeconds(5));
        assertThat(settings.retryDelay(5, 0.999_999)).isBetween(Duration.ofMillis(9_999), Duration.ofSeconds(10));
        assertThat(settings.retryDelay(Integer.MAX_VALUE, 0.999_999)).isBetween(Duration.ofMillis(9_999), Duration.ofSeconds(10));
    }

    @Test
    void rejectsSettingsThatCannotWork() {
        assertThatThrownBy(() -> new OutboxSettings(0, 5, Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofSeconds(1), 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("batchSize");
        assertThatThrownBy(() -> new OutboxSettings(10, 0, Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofSeconds(1), 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxAttempts");
        assertThatThrownBy(() -> new OutboxSettings(10, 5, Duration.ofSeconds(20), Duration.ofSeconds(10), Duration.ofSeconds(1), 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("backoffBase");
        assertThatThrownBy(() -> new OutboxSettings(10, 5, Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ZERO, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("requestTimeout");
        assertThat(OutboxSettings.defaults().maxAttempts()).isEqualTo(10);
    }
}
