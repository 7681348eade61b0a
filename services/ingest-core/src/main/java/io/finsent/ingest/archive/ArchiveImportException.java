package io.finsent.ingest.archive;

/** An import that cannot go on: the broker stayed away, or another import of the same files took over. */
public final class ArchiveImportException extends RuntimeException {

    public ArchiveImportException(String message) {
        super(message);
    }

    public ArchiveImportException(String message, Throwable cause) {
        super(message, cause);
    }
}
