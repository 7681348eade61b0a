package io.finsent.scoring;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the changes the global store of topic definitions takes ({@link TopicDefinitionUpdater}), so that each
 * {@link BatchingScorer} rebuilds its {@link TopicMatcher} only when a definition changed, not for every batch: with
 * thousands of topics, reading and indexing them all per batch would cost more than matching. One per topology.
 */
final class TopicCatalog {

    private final AtomicLong changes = new AtomicLong();

    /** After the store took a change. */
    void changed() {
        changes.incrementAndGet();
    }

    /** Read before reading the store: a change after this read makes the next one differ. */
    long changes() {
        return changes.get();
    }
}
