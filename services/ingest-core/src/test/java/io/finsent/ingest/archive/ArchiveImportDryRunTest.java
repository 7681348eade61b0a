package io.finsent.ingest.archive;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A dry run validates and de-duplicates without a broker: it never connects to one. */
class ArchiveImportDryRunTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path dir;

    @Test
    void countsValidInvalidAndDuplicateRowsAndReportsEachErrorByLine() throws Exception {
        Path file = dir.resolve("rows.jsonl");
        Files.writeString(file, String.join("\n",
                "{\"id\": \"tw-1\", \"published_at\": \"2015-01-01T00:00:00Z\", \"source\": \"a\", \"tickers\": [\"AAPL\"], \"headline\": \"one $AAPL\", \"url\": null}",
                "{\"id\": \"tw-2\", \"published_at\": \"2015-01-01T00:00:01Z\", \"source\": \"a\", \"headline\": \"two\"}",
                "{\"id\": \"tw-1\", \"published_at\": \"2015-01-01T00:00:00Z\", \"source\": \"a\", \"headline\": \"one again\"}",
                "not json",
                "",
                "{\"id\": \"tw-3\", \"source\": \"a\", \"headline\": \"no time\"}") + "\n");
        // Nothing listens on port 1: a dry run must not need a broker.
        ArchiveImport dryRun = new ArchiveImport(ArchiveImport.Options.defaults("127.0.0.1:1").withDryRun(true), CLOCK);

        ImportReport report = dryRun.run(List.of(file), ArchiveImport.Progress.NONE);

        assertThat(report.valid()).isEqualTo(2);
        assertThat(report.duplicates()).isEqualTo(1);
        assertThat(report.invalid()).isEqualTo(2);
        assertThat(report.blankLines()).isEqualTo(1);
        assertThat(report.published()).isZero();
        assertThat(report.errors()).extracting(RowError::line).containsExactly(4L, 6L);
        assertThat(report.errors().get(0).reason()).startsWith("invalid JSON");
        assertThat(report.errors().get(1).reason()).contains("published_at: required");
    }

    @Test
    void aCsvFileIsReadByItsExtension() throws Exception {
        Path file = dir.resolve("rows.csv");
        Files.writeString(file, "id,published_at,source,tickers,headline,url\n"
                + "tw-1,2015-01-01T00:00:00Z,a,AAPL,\"one, $AAPL\",https://x.test/1\n"
                + "tw-2,2015-01-01,a,AAPL,two,\n");

        ImportReport report = new ArchiveImport(ArchiveImport.Options.defaults("127.0.0.1:1").withDryRun(true), CLOCK)
                .run(List.of(file), ArchiveImport.Progress.NONE);

        assertThat(report.valid()).isEqualTo(1);
        assertThat(report.invalid()).isEqualTo(1);
        assertThat(report.errors().get(0).line()).isEqualTo(3);
        assertThat(report.errors().get(0).reason()).contains("published_at");
    }
}
