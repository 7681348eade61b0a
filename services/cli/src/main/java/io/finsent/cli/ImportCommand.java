package io.finsent.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.finsent.ingest.archive.ArchiveFormat;
import io.finsent.ingest.archive.ArchiveFormatException;
import io.finsent.ingest.archive.ArchiveImport;
import io.finsent.ingest.archive.ArchiveImportException;
import io.finsent.ingest.archive.ImportReport;
import io.finsent.ingest.archive.RowError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code ./monitor import}: publishes archive files to text.raw, exactly once, at their original publication times. */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = {"Publishes archive files to text.raw, exactly once and resumably.",
                "Files are JSONL, or CSV with a header; fields id, published_at, source, tickers, headline, url. They go to text.raw with each item's publication time as the record timestamp and its id as the key, in transactions.",
                "Refused rows go to text.dlq with the reason and the row's bytes. Resumable: a second run of the same file",
                "publishes nothing new, and a broker restart mid-import loses and doubles nothing."})
final class ImportCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Archive files (.jsonl, .ndjson, .json or .csv).")
    List<Path> files;

    @Option(names = "--bootstrap-servers", defaultValue = "127.0.0.1:9092", paramLabel = "HOST:PORT",
            description = "Kafka (default: ${DEFAULT-VALUE}, the embedded stack of ./monitor up).")
    String bootstrapServers;

    @Mixin
    KafkaConfigOption kafkaConfig;

    @Option(names = "--rate", defaultValue = "0", paramLabel = "N", description = "At most N rows per second (default: no limit).")
    double rate;

    @Option(names = "--dry-run", description = "Validate and de-duplicate (within the files) without publishing; needs no broker.")
    boolean dryRun;

    @Mixin
    JsonOption output;

    @Option(names = "--format", paramLabel = "jsonl|csv", description = "Format of every FILE (default: by extension).")
    ArchiveFormat format;

    @Option(names = "--batch-size", defaultValue = "500", paramLabel = "ROWS", description = "Rows per transaction (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (rate < 0 || batchSize <= 0) {
            err.println("monitor import: --rate must be 0 or more and --batch-size at least 1");
            return 2;
        }
        ArchiveImport.Options options;
        try {
            options = options();
        } catch (IllegalArgumentException e) {
            err.println("monitor import: " + e.getMessage());
            return 2;
        }
        ImportReport report;
        try {
            long total = ArchiveImport.countLines(files);
            report = new ArchiveImport(options, Clock.systemUTC()).run(files, new ArchiveImport.Progress() {
                // Made at the first row, so connecting and reading back the published keys do not skew rate and ETA.
                private ProgressBar progress;

                @Override
                public void rows(long count) {
                    if (progress == null) {
                        progress = new ProgressBar(err, dryRun ? "checking" : "importing", total);
                    }
                    progress.advance(count);
                }

                @Override
                public void recovering(String reason) {
                    err.println();
                    err.println("monitor import: the broker failed mid-batch (" + reason + "); waiting for it, nothing is lost or doubled");
                    err.flush();
                }
            });
        } catch (ArchiveFormatException e) {
            err.println("monitor import: " + e.getMessage());
            return 2;
        } catch (ArchiveImportException e) {
            err.println("monitor import: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("monitor import: interrupted; run the same command again to resume");
            return 1;
        }
        if (output.json) {
            out.println(toJson(report));
        } else {
            printText(out, report);
        }
        out.flush();
        return 0;
    }

    /** @throws IllegalArgumentException for an unreadable --kafka-config */
    ArchiveImport.Options options() {
        return ArchiveImport.Options.defaults(bootstrapServers).withRate(rate).withDryRun(dryRun).withBatchSize(batchSize).withFormat(format)
                .withKafkaSettings(kafkaConfig.settings());
    }

    private String toJson(ImportReport report) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("valid", report.valid());
        root.put("invalid", report.invalid());
        root.put("duplicates", report.duplicates());
        List<Map<String, Object>> errors = new ArrayList<>();
        for (RowError e : report.errors()) {
            Map<String, Object> error = new LinkedHashMap<>();
            error.put("line", e.line());
            error.put("reason", files.size() > 1 ? e.file() + ": " + e.reason() : e.reason());
            errors.add(error);
        }
        root.put("errors", errors);
        if (!report.dryRun()) {
            root.put("published", report.published());
            root.put("already_published", report.alreadyPublished());
            root.put("dead_lettered", report.deadLettered());
            root.put("older_than_retention", report.olderThanRetention());
            root.put("seconds", report.seconds());
            root.put("rows_per_second", report.rowsPerSecond());
        }
        try {
            return new ObjectMapper().writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the import report as JSON", e);
        }
    }

    private void printText(PrintWriter out, ImportReport report) {
        out.printf(Locale.ROOT, "%s %d rows in %.1f s (%.0f rows/s): %d valid, %d duplicates, %d invalid%n",
                report.dryRun() ? "Checked" : "Imported", report.rows(), report.seconds(), report.rowsPerSecond(), report.valid(),
                report.duplicates(), report.invalid());
        if (!report.dryRun()) {
            out.printf(Locale.ROOT, "  %d published to text.raw, %d already there; %d dead letters to text.dlq%n", report.published(),
                    report.alreadyPublished(), report.deadLettered());
            if (report.olderThanRetention() > 0) {
                out.printf(Locale.ROOT, "  WARNING: %d of them are older than text.raw's retention; the broker deletes them within minutes"
                        + " (retention goes by record timestamp). Give text.raw a retention that covers the archive.%n", report.olderThanRetention());
            }
        }
        int shown = 0;
        for (RowError e : report.errors()) {
            if (shown++ == 20) {
                out.printf("  ... and %d more (--json lists them all)%n", report.errors().size() - 20);
                break;
            }
            out.printf("  %s:%d: %s%n", e.file(), e.line(), e.reason());
        }
    }
}
