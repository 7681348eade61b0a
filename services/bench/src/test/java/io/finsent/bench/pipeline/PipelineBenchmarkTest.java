package io.finsent.bench.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class PipelineBenchmarkTest {

    private static final long MS = 1_000_000;

    @Test
    void theTextsOfTheFirstPollDoNotCountTowardsTheRate() {
        // Three texts in the first poll (scored before the reader saw anything), then one a second.
        long[] seenAt = {5_000 * MS, 5_000 * MS + 1, 5_000 * MS + 2 * MS, 6_000 * MS, 7_000 * MS};

        assertThat(PipelineBenchmark.steadyRate(seenAt)).isCloseTo(1.0, within(1e-9));
    }

    @Test
    void aSteadyStreamGivesItsRate() {
        long[] seenAt = new long[101];
        for (int i = 0; i < seenAt.length; i++) {
            seenAt[i] = i * 100 * MS;
        }

        assertThat(PipelineBenchmark.steadyRate(seenAt)).isCloseTo(10.0, within(1e-9));
    }
}
