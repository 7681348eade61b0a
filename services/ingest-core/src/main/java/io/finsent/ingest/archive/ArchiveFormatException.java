package io.finsent.ingest.archive;

/** A whole archive file cannot be read (missing, unreadable, wrong encoding, a CSV header without the needed columns). */
public final class ArchiveFormatException extends RuntimeException {

    public ArchiveFormatException(String message) {
        super(message);
    }

    public ArchiveFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
