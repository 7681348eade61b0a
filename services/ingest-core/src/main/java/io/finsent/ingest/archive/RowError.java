package io.finsent.ingest.archive;

import java.nio.file.Path;

/** Why one row of an archive file was refused. */
public record RowError(Path file, long line, String reason) {
}
