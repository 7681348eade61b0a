package io.finsent.ingest.service;

import java.time.Instant;

/** What the poller knows of one feed, as served by {@code GET /v1/feeds}. */
public record FeedStatus(String url, long pollIntervalSeconds, Instant lastPoll, Instant lastSuccess, Instant lastError, String lastErrorReason,
        int consecutiveFailures, Instant nextPoll, long itemsSeen, long itemsPublished, long itemsRefused, String etag, String lastModified) {
}
