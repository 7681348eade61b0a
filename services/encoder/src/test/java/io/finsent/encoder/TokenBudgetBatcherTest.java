package io.finsent.encoder;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Calls stay within the token budget and the row limit, and only hold sequences of one padded length. */
class TokenBudgetBatcherTest {

    private final TokenBudgetBatcher batcher = new TokenBudgetBatcher(1024, 16, 8, 128);

    @Test
    void paddedLengthDependsOnTheLengthAlone() {
        assertThat(batcher.paddedLength(1)).isEqualTo(8);
        assertThat(batcher.paddedLength(8)).isEqualTo(8);
        assertThat(batcher.paddedLength(9)).isEqualTo(16);
        assertThat(batcher.paddedLength(128)).isEqualTo(128);
        assertThat(new TokenBudgetBatcher(1024, 16, 8, 130).paddedLength(129)).isEqualTo(130);
    }

    @Test
    void bucketedBatchesHoldOnePaddedLengthWithinBudgetAndCoverEverySequenceOnce() {
        int[] lengths = new Random(7).ints(500, 3, 129).toArray();

        List<TokenBudgetBatcher.Batch> batches = batcher.bucketed(lengths);

        assertThat(batches).allSatisfy(batch -> {
            assertThat(batch.rows()).isBetween(1, 16);
            assertThat(batch.paddedTokens()).isLessThanOrEqualTo(1024);
            assertThat(Arrays.stream(batch.members()).map(i -> batcher.paddedLength(lengths[i])))
                    .containsOnly(batch.paddedLength());
        });
        int[] all = batches.stream().flatMapToInt(b -> Arrays.stream(b.members())).sorted().toArray();
        assertThat(all).containsExactly(IntStream.range(0, 500).toArray());
    }

    @Test
    void bucketingPadsLessThanArrivalOrder() {
        int[] lengths = new Random(11).ints(500, 3, 129).toArray();
        long real = Arrays.stream(lengths).sum();

        long bucketed = batcher.bucketed(lengths).stream().mapToLong(TokenBudgetBatcher.Batch::paddedTokens).sum();
        long arrival = batcher.arrival(lengths).stream().mapToLong(TokenBudgetBatcher.Batch::paddedTokens).sum();

        assertThat((double) real / bucketed).isGreaterThan(0.9);
        assertThat(bucketed).isLessThan(arrival);
    }

    @Test
    void sequenceLongerThanTheBudgetRunsAlone() {
        TokenBudgetBatcher small = new TokenBudgetBatcher(64, 16, 8, 128);

        List<TokenBudgetBatcher.Batch> batches = small.bucketed(new int[] {100, 100});

        assertThat(batches).hasSize(2).allSatisfy(b -> assertThat(b.rows()).isEqualTo(1));
    }

    @Test
    void arrivalOrderKeepsOrderAndBudget() {
        int[] lengths = {10, 120, 5, 7, 60, 60, 60};

        List<TokenBudgetBatcher.Batch> batches = batcher.arrival(lengths);

        assertThat(batches.stream().flatMapToInt(b -> Arrays.stream(b.members())).toArray())
                .containsExactly(0, 1, 2, 3, 4, 5, 6);
        assertThat(batches).allSatisfy(b -> assertThat(b.paddedTokens()).isLessThanOrEqualTo(1024));
    }
}
