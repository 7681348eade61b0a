package io.finsent.common;

import java.time.Instant;

/**
 * The one range of times an input may carry into Kafka and PostgreSQL (a publication time, a silence, a query or
 * replay range): from the epoch, where event-time windows start, to the last second of year 9999, the last that
 * four-digit ISO-8601, PostgreSQL's timestamptz, Java and JavaScript all hold, and far inside millisecond arithmetic.
 */
public final class StorableTime {

    public static final Instant EARLIEST = Instant.EPOCH;
    public static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

    private StorableTime() {
    }

    /** Whether {@code time} lies in {@code [EARLIEST, LATEST]}. */
    public static boolean holds(Instant time) {
        return !time.isBefore(EARLIEST) && !time.isAfter(LATEST);
    }
}
