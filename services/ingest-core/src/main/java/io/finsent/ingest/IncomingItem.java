package io.finsent.ingest;

import java.time.Instant;
import java.util.List;

import io.finsent.schema.SourceKind;

/**
 * An item as a source gave it, before validation and normalisation: text may still be HTML, tickers
 * may be in any case, the native id may be absent. {@code publishedAt} is null when the source gave none.
 */
public record IncomingItem(SourceKind kind, String source, String nativeId, String url, Instant publishedAt, String title,
        String body, List<String> tickers, String author, String language) {

    public IncomingItem {
        tickers = tickers == null ? List.of() : List.copyOf(tickers);
    }
}
