package io.finsent.ingest;

import java.time.Instant;
import java.util.List;

import io.finsent.schema.SourceKind;

/**
 * An item as a source gave it, before validation and normalisation: text may still be HTML, tickers
 * may be in any case, the native id may be absent. {@code publishedAt} is null when the source gave none.
 *
 * @param idSource the source the item's id is derived from when it is not {@code source}: a feed's URL, so that naming
 *                 a feed (its items' source) never changes its items' ids; null: {@code source}
 * @param publishedEstimated the source gave no date, and {@code publishedAt} is when ingest first saw the item
 */
public record IncomingItem(SourceKind kind, String source, String nativeId, String url, Instant publishedAt, String title,
        String body, List<String> tickers, String author, String language, String idSource, boolean publishedEstimated) {

    public IncomingItem {
        tickers = tickers == null ? List.of() : List.copyOf(tickers);
    }

    /** An item whose id comes from its own source, with the date the source gave. */
    public IncomingItem(SourceKind kind, String source, String nativeId, String url, Instant publishedAt, String title,
            String body, List<String> tickers, String author, String language) {
        this(kind, source, nativeId, url, publishedAt, title, body, tickers, author, language, null, false);
    }
}
