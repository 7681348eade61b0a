package io.finsent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import picocli.CommandLine;

/**
 * The floor the shipped model must keep on Financial PhraseBank's test split, measured through the Java
 * runtime by {@code ./monitor eval}: accuracy 0.86, macro-F1 0.84, and 0.95 on the all-agree part.
 */
class ShippedModelQualityTest {

    private static final Path ROOT = Path.of("../..").toAbsolutePath().normalize();

    @Test
    void theShippedModelKeepsTheFloorOnTheTestSplit() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Monitor.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));

        int code = cli.execute("eval", "--data", ROOT.resolve("training/data/financial_phrasebank/financial_phrasebank.tsv").toString(),
                "--split", "test", "--model", ROOT.resolve("models/finsent-sentiment").toString(), "--device", "cpu", "--json");

        assertThat(code).as(err.toString()).isZero();
        JsonNode report = new ObjectMapper().readTree(out.toString());
        assertThat(report.get("n").asInt()).isEqualTo(485);
        assertThat(report.get("accuracy").asDouble()).isGreaterThanOrEqualTo(0.86);
        assertThat(report.get("macro_f1").asDouble()).isGreaterThanOrEqualTo(0.84);
        assertThat(report.at("/per_agreement/100/accuracy").asDouble()).isGreaterThanOrEqualTo(0.95);
        assertThat(report.at("/confusion/matrix")).hasSize(3);
    }
}
