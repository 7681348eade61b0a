package io.finsent.ingest.archive;

import java.util.List;

/**
 * What an import did. Every row is counted exactly once: {@code valid + duplicates + invalid} is the
 * number of non-blank rows. {@code valid} rows are the first of their id; {@code published} of them
 * were new to the raw topic and {@code alreadyPublished} were there before (an earlier run); a dry run
 * publishes nothing and checks duplicates within its files only. Invalid rows went to the dead-letter
 * topic ({@code deadLettered}, fewer when the same bad bytes were dead-lettered before). {@code errors}
 * holds the first {@link ArchiveImport#MAX_REPORTED_ERRORS} refused rows. {@code olderThanRetention} counts published
 * items older than the raw topic's retention.ms: the broker deletes those within minutes (time retention
 * goes by record timestamps), so a later run would find them gone and publish them again.
 */
public record ImportReport(boolean dryRun, long valid, long invalid, long duplicates, long published, long alreadyPublished,
        long deadLettered, long blankLines, long olderThanRetention, List<RowError> errors, double seconds, int recoveries) {

    public long rows() {
        return valid + invalid + duplicates;
    }

    public double rowsPerSecond() {
        return seconds <= 0 ? 0 : rows() / seconds;
    }
}
