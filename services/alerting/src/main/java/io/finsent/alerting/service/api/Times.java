package io.finsent.alerting.service.api;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

import io.finsent.common.StorableTime;
import io.finsent.service.api.ApiProblem;

/**
 * Times in requests (body fields and query parameters): ISO-8601 with a zone, within {@link StorableTime}, and the
 * ranges they make.
 */
final class Times {

    private static final Duration MAX_RANGE = Duration.ofDays(366);

    private Times() {
    }

    /** An ISO-8601 instant with a zone, e.g. 2025-01-31T09:00:00Z; null stays null. */
    static Instant instant(String field, String value) {
        if (value == null) {
            return null;
        }
        Instant time;
        try {
            time = OffsetDateTime.parse(value.strip()).toInstant();
        } catch (DateTimeParseException e) {
            throw ApiProblem.badRequest("'" + field + "' is not an ISO-8601 time with a zone (e.g. 2025-01-31T09:00:00Z): " + value);
        }
        if (!StorableTime.holds(time)) {
            throw ApiProblem.badRequest("'" + field + "' is " + time + ", out of range: times lie from " + StorableTime.EARLIEST + " to "
                    + StorableTime.LATEST);
        }
        return time;
    }

    /** Window starts in {@code [from, to)}. */
    record Range(Instant from, Instant to) {
    }

    /** A query's range: {@code to} (default now) and {@code from} (default 24 hours before it), at most 366 days. */
    static Range range(String from, String to) {
        Instant end = to == null || to.isBlank() ? Instant.now() : instant("to", to);
        Instant start = from == null || from.isBlank() ? end.minus(Duration.ofHours(24)) : instant("from", from);
        if (!end.isAfter(start)) {
            throw ApiProblem.badRequest("'to' (" + end + ") must be after 'from' (" + start + ")");
        }
        if (Duration.between(start, end).compareTo(MAX_RANGE) > 0) {
            throw ApiProblem.badRequest("a range of more than " + MAX_RANGE.toDays() + " days; narrow from/to");
        }
        return new Range(start, end);
    }
}
