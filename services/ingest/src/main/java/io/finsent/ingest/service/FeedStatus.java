package io.finsent.ingest.service;

import java.time.Instant;
import java.util.List;

/**
 * What the poller knows of one feed, as served by {@code GET /v1/feeds}.
 *
 * @param id   the feed's short id ({@code f-} and 12 hex digits of its URL's hash), for {@code GET} and {@code DELETE /v1/feeds/{id}}
 * @param url  the feed's URL without user info and query (where feeds carry their tokens): "…" stands for a query
 * @param name the feed's name, its items' source; null: the items' source is {@code url}
 * @param tickers the tickers given to every entry of the feed, besides the entry's own
 */
public record FeedStatus(String id, String url, String name, List<String> tickers, long pollIntervalSeconds, Instant lastPoll, Instant lastSuccess,
        Instant lastError, String lastErrorReason, int consecutiveFailures, Instant nextPoll, long itemsSeen, long itemsPublished, long itemsRefused,
        String etag, String lastModified) {
}
