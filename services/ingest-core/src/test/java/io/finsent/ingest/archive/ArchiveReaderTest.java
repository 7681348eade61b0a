package io.finsent.ingest.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArchiveReaderTest {

    @TempDir
    Path dir;

    private Path write(String name, byte[] bytes) throws IOException {
        Path file = dir.resolve(name);
        Files.write(file, bytes);
        return file;
    }

    private Path write(String name, String text) throws IOException {
        return write(name, text.getBytes(StandardCharsets.UTF_8));
    }

    private List<ArchiveRow> read(Path file, ArchiveFormat format, int maxRowBytes) {
        List<ArchiveRow> rows = new ArrayList<>();
        try (ArchiveReader reader = ArchiveReader.open(file, format, maxRowBytes)) {
            while (reader.hasNext()) {
                rows.add(reader.next());
            }
        }
        return rows;
    }

    @Test
    void jsonlRowsComeWithTheirLineNumbersAndOriginalBytes() throws IOException {
        Path file = write("a.jsonl", "\uFEFF{\"a\": 1}\r\n\n{\"a\": 2}\n   \n{\"a\": 3}");

        List<ArchiveRow> rows = read(file, ArchiveFormat.JSONL, 1000);

        assertThat(rows).extracting(ArchiveRow::line).containsExactly(1L, 3L, 5L);
        assertThat(rows).allMatch(ArchiveRow::parsed);
        assertThat(new String(rows.get(1).original(), StandardCharsets.UTF_8)).isEqualTo("{\"a\": 2}");
        assertThat(rows.get(2).node().get("a").asInt()).isEqualTo(3);
        assertThat(ArchiveReader.countLines(file)).isEqualTo(5);
    }

    @Test
    void badJsonlRowsComeBackWithTheirReasonAndTheReaderGoesOn() throws IOException {
        byte[] latin1 = "{\"headline\": \"caf\u00e9\"}".getBytes(StandardCharsets.ISO_8859_1);
        String text = String.join("\n",
                "{\"a\": 1",                      // 1 truncated
                "{\"a\": 1} {\"b\": 2}",          // 2 two values
                "{\"a\": 1, \"a\": 2}",           // 3 duplicate key
                "[1, 2]",                         // 4 array
                "\"just a string\"",              // 5 string
                "{a: 1}",                         // 6 unquoted key
                "{\"a\": NaN}",                   // 7 NaN
                "{\"a\": \"x\"}") + "\n";         // 8 fine
        byte[] start = text.getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[start.length + latin1.length + 1];
        System.arraycopy(start, 0, all, 0, start.length);
        System.arraycopy(latin1, 0, all, start.length, latin1.length);
        all[all.length - 1] = '\n';
        Path file = write("bad.jsonl", all);

        List<ArchiveRow> rows = read(file, ArchiveFormat.JSONL, 1000);

        assertThat(rows).hasSize(9);
        assertThat(rows.get(0).error()).startsWith("invalid JSON");
        assertThat(rows.get(1).error()).startsWith("invalid JSON").contains("Trailing token");
        assertThat(rows.get(2).error()).contains("Duplicate field 'a'");
        assertThat(rows.get(3).error()).isEqualTo("not a JSON object but a JSON array");
        assertThat(rows.get(4).error()).isEqualTo("not a JSON object but a JSON string");
        assertThat(rows.get(5).error()).startsWith("invalid JSON");
        assertThat(rows.get(6).error()).startsWith("invalid JSON");
        assertThat(rows.get(7).parsed()).isTrue();
        assertThat(rows.get(8).error()).contains("not valid UTF-8 at byte 18").contains("iconv");
        assertThat(rows.get(8).original()).isEqualTo(latin1);
    }

    @Test
    void aRowOverTheLimitIsRefusedWithItsFirstBytesAndTheNextRowIsRead() throws IOException {
        Path file = write("big.jsonl", "{\"a\": \"" + "x".repeat(5000) + "\"}\n{\"a\": 1}\n");

        List<ArchiveRow> rows = read(file, ArchiveFormat.JSONL, 1000);

        assertThat(rows.get(0).error()).isEqualTo("row of 5010 bytes, more than the limit of 1000 bytes");
        assertThat(rows.get(0).original()).hasSize(1000);
        assertThat(rows.get(1).parsed()).isTrue();
        assertThat(rows.get(1).line()).isEqualTo(2);
    }

    @Test
    void aJsonNestingBombIsAnErrorNotACrash() throws IOException {
        Path file = write("deep.jsonl", "{\"a\": " + "[".repeat(5000) + "]".repeat(5000) + "}\n");

        assertThat(read(file, ArchiveFormat.JSONL, 100_000).get(0).error()).startsWith("invalid JSON").contains("nesting depth");
    }

    @Test
    void aUtf16FileIsRefusedWithWhatToDo() throws IOException {
        Path file = write("u16.jsonl", "\uFEFF{\"a\": 1}\n".getBytes(StandardCharsets.UTF_16LE));

        assertThatThrownBy(() -> ArchiveReader.open(file, ArchiveFormat.JSONL, 1000)).isInstanceOf(ArchiveFormatException.class)
                .hasMessageContaining("UTF-16").hasMessageContaining("iconv");
    }

    @Test
    void aMissingFileIsRefusedByName() {
        assertThatThrownBy(() -> ArchiveReader.open(dir.resolve("nope.jsonl"), ArchiveFormat.JSONL, 1000))
                .isInstanceOf(ArchiveFormatException.class).hasMessageContaining("nope.jsonl: no such file");
        assertThatThrownBy(() -> ArchiveReader.countLines(dir.resolve("nope.jsonl"))).hasMessageContaining("nope.jsonl: no such file");
    }

    @Test
    void csvRowsBecomeObjectsKeyedByTheHeaderWithQuotedNewlines() throws IOException {
        Path file = write("a.csv", """
                id,published_at,source,tickers,headline,url
                tw-1,2015-01-01T03:00:20Z,acct,AAPL;MSFT,"Apple, Microsoft ""up""
                on the day",https://x.test/1
                tw-2,2015-01-01T03:00:21Z,acct,,plain,
                """);

        List<ArchiveRow> rows = read(file, ArchiveFormat.CSV, 1000);

        assertThat(rows).extracting(ArchiveRow::line).containsExactly(2L, 4L);
        assertThat(rows.get(0).node().get("headline").asText()).isEqualTo("Apple, Microsoft \"up\"\non the day");
        assertThat(rows.get(0).node().get("tickers").asText()).isEqualTo("AAPL;MSFT");
        assertThat(rows.get(1).node().has("tickers")).as("an empty cell is an absent field").isFalse();
    }

    @Test
    void csvRowsWithTheWrongNumberOfFieldsOrAnOpenQuoteAreRefused() throws IOException {
        Path file = write("b.csv", "id,published_at,source,headline\n1,2015-01-01T00:00:00Z,s\n2,2015-01-01T00:00:00Z,s,\"open\n");

        List<ArchiveRow> rows = read(file, ArchiveFormat.CSV, 1000);

        assertThat(rows.get(0).error()).isEqualTo("has 3 fields, the header has 4 (id,published_at,source,headline)");
        assertThat(rows.get(1).error()).contains("unterminated quoted CSV field");
    }

    @Test
    void aCsvHeaderWithoutTheNeededColumnsFailsTheFile() throws IOException {
        Path file = write("c.csv", "when,who,what\n1,2,3\n");

        assertThatThrownBy(() -> ArchiveReader.open(file, ArchiveFormat.CSV, 1000)).isInstanceOf(ArchiveFormatException.class)
                .hasMessageContaining("lacks published_at, source, headline");
        Path empty = write("d.csv", "");
        assertThatThrownBy(() -> ArchiveReader.open(empty, ArchiveFormat.CSV, 1000)).hasMessageContaining("empty CSV file");
    }

    @Test
    void theFormatFollowsTheExtension() {
        assertThat(ArchiveFormat.byExtension(Path.of("x.CSV"))).isEqualTo(ArchiveFormat.CSV);
        assertThat(ArchiveFormat.byExtension(Path.of("x.ndjson"))).isEqualTo(ArchiveFormat.JSONL);
        assertThatThrownBy(() -> ArchiveFormat.byExtension(Path.of("x.txt"))).hasMessageContaining("--format jsonl|csv");
    }
}
