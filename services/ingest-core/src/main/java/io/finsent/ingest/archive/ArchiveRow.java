package io.finsent.ingest.archive;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One row of an archive file: where it starts (1-based line), its original bytes, and either the
 * parsed JSON object (CSV rows become objects keyed by the header) or why it could not be parsed.
 */
public record ArchiveRow(long line, byte[] original, JsonNode node, String error) {

    public boolean parsed() {
        return error == null;
    }
}
