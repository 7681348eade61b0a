package io.finsent.ingest;

import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The ids seen recently, to publish each item once: bounded both by count and by age, so memory stays
 * bounded however long the service runs. An id older than the horizon, or pushed out by newer ones, is
 * forgotten and would be published again: choose the horizon longer than the longest time a source
 * keeps re-sending an item (a feed's window, a client's retry period). Thread-safe.
 */
public final class DeduplicationHorizon {

    private final int maxIds;
    private final long maxAgeMillis;
    private final Clock clock;
    /** id -> when first seen (wall clock millis), oldest first. */
    private final LinkedHashMap<String, Long> seen = new LinkedHashMap<>();

    public DeduplicationHorizon(int maxIds, Duration maxAge, Clock clock) {
        if (maxIds <= 0) {
            throw new IllegalArgumentException("the de-duplication horizon must hold at least one id, got " + maxIds);
        }
        if (maxAge.isNegative() || maxAge.isZero()) {
            throw new IllegalArgumentException("the de-duplication horizon must be positive, got " + maxAge);
        }
        this.maxIds = maxIds;
        this.maxAgeMillis = maxAge.toMillis();
        this.clock = clock;
    }

    /** Records the id and says whether it is new within the horizon (true: publish it). */
    public synchronized boolean firstSeen(String id) {
        long now = clock.millis();
        evict(now);
        if (seen.containsKey(id)) {
            return false;
        }
        seen.put(id, now);
        if (seen.size() > maxIds) {
            Iterator<String> oldest = seen.keySet().iterator();
            oldest.next();
            oldest.remove();
        }
        return true;
    }

    public synchronized boolean contains(String id) {
        evict(clock.millis());
        return seen.containsKey(id);
    }

    /** Forgets an id, e.g. when publishing it failed and the sender will retry. */
    public synchronized void forget(String id) {
        seen.remove(id);
    }

    public synchronized int size() {
        evict(clock.millis());
        return seen.size();
    }

    private void evict(long now) {
        Iterator<Map.Entry<String, Long>> it = seen.entrySet().iterator();
        while (it.hasNext()) {
            if (now - it.next().getValue() <= maxAgeMillis) {
                break;
            }
            it.remove();
        }
    }
}
