package io.finsent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import picocli.CommandLine;

/**
 * The floor each shipped model (the float one and its static int8 copy, the CPU default) must keep on Financial
 * PhraseBank's test split, measured through the Java runtime by {@code ./monitor eval}: accuracy 0.86, macro-F1 0.84,
 * and 0.95 on the all-agree part.
 */
class ShippedModelQualityTest {

    private static final Path ROOT = Path.of("../..").toAbsolutePath().normalize();

    @ParameterizedTest
    @ValueSource(strings = {"finsent-sentiment", "finsent-sentiment-int8"})
    void theShippedModelKeepsTheFloorOnTheTestSplit(String model) throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Monitor.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));

        int code = cli.execute("eval", "--data", ROOT.resolve("training/data/financial_phrasebank/financial_phrasebank.tsv").toString(),
                "--split", "test", "--model", ROOT.resolve("models").resolve(model).toString(), "--device", "cpu", "--json");

        assertThat(code).as(err.toString()).isZero();
        JsonNode report = new ObjectMapper().readTree(out.toString());
        assertThat(report.at("/model/name").asText()).isEqualTo(model);
        assertThat(report.get("n").asInt()).isEqualTo(485);
        assertThat(report.get("accuracy").asDouble()).isGreaterThanOrEqualTo(0.86);
        assertThat(report.get("macro_f1").asDouble()).isGreaterThanOrEqualTo(0.84);
        assertThat(report.at("/per_agreement/100/accuracy").asDouble()).isGreaterThanOrEqualTo(0.95);
        assertThat(report.at("/confusion/matrix")).hasSize(3);
    }
}
