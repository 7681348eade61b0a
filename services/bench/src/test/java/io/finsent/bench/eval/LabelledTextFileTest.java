package io.finsent.bench.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabelledTextFileTest {

    @TempDir
    Path dir;

    private Path file(String content) throws IOException {
        return Files.writeString(dir.resolve("data.tsv"), content);
    }

    @Test
    void readsTheRowsOfOneSplitWithTheirLineNumbers() throws IOException {
        Path tsv = file("id\tsentence\tlabel\tagreement\tsplit\n"
                + "a\tProfit rose .\tpositive\t100\ttest\n"
                + "b\tSales fell .\tNegative\t66\ttrain\n"
                + "c\tThe company is in Espoo .\tneutral\t75\ttest\n");

        var rows = LabelledTextFile.read(tsv, "sentence", "label", "split", "test", "agreement");

        assertThat(rows).extracting(LabelledText::line).containsExactly(2, 4);
        assertThat(rows).extracting(LabelledText::label).containsExactly("positive", "neutral");
        assertThat(rows.get(1).agreement()).isEqualTo("75");
    }

    @Test
    void aMissingColumnIsNamedWithTheColumnsThatExist() throws IOException {
        Path tsv = file("text\tlabel\nProfit rose\tpositive\n");

        assertThatThrownBy(() -> LabelledTextFile.read(tsv, "sentence", "label", "split", null, "agreement"))
                .hasMessageContaining("no column 'sentence'").hasMessageContaining("columns: text, label").hasMessageContaining("--text-column");
    }

    @Test
    void anUnknownLabelNamesItsLine() throws IOException {
        Path tsv = file("sentence\tlabel\nProfit rose\tpositive\nSales fell\tbearish\n");

        assertThatThrownBy(() -> LabelledTextFile.read(tsv, "sentence", "label", "split", null, "agreement"))
                .hasMessageContaining("line 3").hasMessageContaining("bearish");
    }

    @Test
    void aRaggedRowNamesItsLine() throws IOException {
        Path tsv = file("sentence\tlabel\nProfit rose\n");

        assertThatThrownBy(() -> LabelledTextFile.read(tsv, "sentence", "label", "split", null, "agreement"))
                .hasMessageContaining("line 2");
    }

    @Test
    void anEmptySplitOrFileIsAnError() throws IOException {
        Path tsv = file("sentence\tlabel\tsplit\nProfit rose\tpositive\ttrain\n");

        assertThatThrownBy(() -> LabelledTextFile.read(tsv, "sentence", "label", "split", "test", "agreement"))
                .hasMessageContaining("no rows in split 'test'");
        assertThatThrownBy(() -> LabelledTextFile.read(file(""), "sentence", "label", "split", null, "agreement"))
                .hasMessageContaining("empty");
        assertThatThrownBy(() -> LabelledTextFile.read(dir.resolve("missing.tsv"), "sentence", "label", "split", null, "agreement"))
                .hasMessageContaining("does not exist");
    }
}
