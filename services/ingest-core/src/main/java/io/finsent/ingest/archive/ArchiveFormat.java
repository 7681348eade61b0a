package io.finsent.ingest.archive;

import java.nio.file.Path;
import java.util.Locale;

/** The archive file formats: one JSON object per line, or CSV with a header row. */
public enum ArchiveFormat {
    JSONL, CSV;

    /** By extension: {@code .csv} is CSV, {@code .jsonl}, {@code .ndjson} and {@code .json} are JSONL. */
    public static ArchiveFormat byExtension(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".csv")) {
            return CSV;
        }
        if (name.endsWith(".jsonl") || name.endsWith(".ndjson") || name.endsWith(".json")) {
            return JSONL;
        }
        throw new ArchiveFormatException(file + ": cannot tell the format from the extension; name it .jsonl or .csv, or pass --format jsonl|csv");
    }
}
