package io.finsent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * {@code ./monitor explain} and {@code ./monitor bench explain} on the shipped model, as a user runs them: the JSON keys,
 * offsets that point into the text, the negative words weighing most, and bad input refused with the reason.
 */
class ExplainCommandTest {

    private static final String MODEL = Path.of("../../models/finsent-sentiment").toAbsolutePath().normalize().toString();

    private final CliRun cli = new CliRun();

    @Test
    void explainAnswersTheLabelTheProbabilitiesAndEachWordsWeightAtItsOffsets() throws Exception {
        String text = "Net sales fell sharply and the company warned of losses";
        assertThat(cli.run("explain", text, "--model", MODEL, "--device", "cpu", "--json")).as(cli.err.toString()).isZero();

        JsonNode answer = new ObjectMapper().readTree(cli.out.toString().strip().lines().reduce((a, b) -> b).orElseThrow());
        assertThat(answer.get("label").asText()).isEqualTo("negative");
        assertThat(answer.get("probabilities").get("negative").asDouble()).isGreaterThan(0.5);
        assertThat(answer.get("tokens")).hasSize(10);
        String heaviest = null;
        double most = Double.NEGATIVE_INFINITY;
        for (JsonNode t : answer.get("tokens")) {
            assertThat(text.substring(t.get("start").asInt(), t.get("end").asInt())).isEqualTo(t.get("text").asText());
            if (t.get("weight").asDouble() > most) {
                most = t.get("weight").asDouble();
                heaviest = t.get("text").asText();
            }
        }
        assertThat(heaviest).isIn("fell", "sharply", "warned", "losses");
    }

    @Test
    void explainRefusesAnEmptyTextAndOneOverTheWordCap() {
        assertThat(cli.run("explain", "  ", "--model", MODEL, "--device", "cpu")).isEqualTo(2);
        assertThat(cli.err.toString()).contains("the text is empty");
        assertThat(cli.run("explain", "Profit fell in the quarter", "--max-words", "3", "--model", MODEL, "--device", "cpu")).isEqualTo(2);
        assertThat(cli.err.toString()).contains("has 5 words").contains("at most 3").contains("--max-words");
    }

    @Test
    void benchExplainReportsFaithfulnessOnLabelledTexts(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("few.tsv");
        Files.writeString(file, """
                sentence\tlabel\tsplit
                Operating profit rose to EUR 13.1 mn from EUR 8.7 mn in the corresponding period in 2007\tpositive\ttest
                The company's net loss widened and sales fell by a third as orders collapsed\tnegative\ttest
                The board will meet in Helsinki on Monday\tneutral\ttest
                Shares jumped after the group raised its full-year profit forecast\tpositive\ttest
                Pre-tax loss totalled EUR 0.3 mn compared to a profit of EUR 2.2 mn\tnegative\ttest
                Up\tpositive\ttest
                """);
        assertThat(cli.run("bench", "explain", "--data", file.toString(), "--model", MODEL, "--device", "cpu", "--json")).as(cli.err.toString()).isZero();

        JsonNode result = new ObjectMapper().readTree(cli.out.toString().strip().lines().reduce((a, b) -> b).orElseThrow());
        assertThat(result.get("texts").asInt()).isEqualTo(4); // the neutral row is not measured, "Up" is too short
        assertThat(result.get("skipped").asInt()).isEqualTo(1);
        for (String key : new String[] {"deletion_drop_top", "deletion_drop_random", "faithfulness_ratio", "explanations_per_s", "passed"}) {
            assertThat(result.has(key)).as(key).isTrue();
        }
        assertThat(result.get("deletion_drop_top").asDouble()).isGreaterThan(result.get("deletion_drop_random").asDouble());
        assertThat(result.get("explanations_per_s").asDouble()).isPositive();

        // a file without such rows, or none at all, is an error that says so
        Files.writeString(file, "sentence\tlabel\tsplit\nThe board meets on Monday\tneutral\ttest\n");
        assertThat(cli.run("bench", "explain", "--data", file.toString(), "--model", MODEL, "--device", "cpu")).isEqualTo(2);
        assertThat(cli.err.toString()).contains("no negative or positive rows");
        assertThat(cli.run("bench", "explain", "--data", dir.resolve("missing.tsv").toString())).isEqualTo(2);
        assertThat(cli.err.toString()).contains("no such file");
    }
}
