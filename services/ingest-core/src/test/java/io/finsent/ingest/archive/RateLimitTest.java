package io.finsent.ingest.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RateLimitTest {

    @Test
    void rowsArePacedToTheRate() throws InterruptedException {
        RateLimit limit = new RateLimit(200);
        long started = System.nanoTime();
        for (int i = 0; i < 101; i++) {
            limit.acquire();
        }
        double seconds = (System.nanoTime() - started) / 1e9;

        // 100 intervals of 5 ms.
        assertThat(seconds).isBetween(0.45, 2.0);
    }

    @Test
    void zeroMeansNoLimitAndANegativeRateIsRefused() throws InterruptedException {
        RateLimit none = new RateLimit(0);
        long started = System.nanoTime();
        for (int i = 0; i < 100_000; i++) {
            none.acquire();
        }
        assertThat((System.nanoTime() - started) / 1e9).isLessThan(0.5);
        assertThatThrownBy(() -> new RateLimit(-1)).hasMessageContaining("--rate");
    }
}
