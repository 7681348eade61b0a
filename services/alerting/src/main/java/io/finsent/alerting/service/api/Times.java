package io.finsent.alerting.service.api;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

import io.finsent.service.api.ApiProblem;

/** Times in requests (body fields and query parameters): ISO-8601 with a zone, from 1970 to 9999, and the ranges they make. */
final class Times {

    private static final Duration MAX_RANGE = Duration.ofDays(366);
    /** Times a request may name: within what PostgreSQL's timestamptz and every client's clock can hold. */
    private static final Instant EARLIEST = Instant.parse("1970-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

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
        if (time.isBefore(EARLIEST) || time.isAfter(LATEST)) {
            throw ApiProblem.badRequest("'" + field + "' is " + time + ", out of range: times lie from " + EARLIEST + " to " + LATEST);
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
