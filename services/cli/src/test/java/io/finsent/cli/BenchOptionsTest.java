package io.finsent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The benchmarks' options refuse what they cannot measure, with what to pass instead, before starting anything. */
class BenchOptionsTest {

    private final CliRun cli = new CliRun();

    @Test
    void ruleSetCountsMustBeOneToTenThousand() {
        assertThat(cli.run("bench", "alerting", "--rule-sets", "0,100")).isEqualTo(2);
        assertThat(cli.err.toString()).contains("--rule-sets are counts of 1 to 10000");
        assertThat(cli.run("bench", "alerting", "--rule-sets", "1,20000")).isEqualTo(2);
    }

    @Test
    void watchlistSizesNeedTwoDifferentPositiveOnes() {
        assertThat(cli.run("bench", "pipeline", "--topics", "20")).isEqualTo(2);
        assertThat(cli.err.toString()).contains("--topics needs two or more different sizes");
        assertThat(cli.run("bench", "pipeline", "--topics", "0,10")).isEqualTo(2);
        assertThat(cli.run("bench", "pipeline", "--topics", "20,20")).isEqualTo(2);
    }
}
