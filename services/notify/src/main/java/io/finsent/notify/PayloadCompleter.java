package io.finsent.notify;

import java.time.Duration;

import io.finsent.alerting.store.OutboxTable;

/**
 * Completes a notification's payload at delivery time with what was not known when the row was written (an alert's
 * evidence texts, stored by another consumer a little later), or asks the dispatcher to come back later. A postponed row
 * keeps its attempt count: waiting for data is not a failed delivery.
 */
@FunctionalInterface
public interface PayloadCompleter {

    /** Sends the stored payload as it is. */
    PayloadCompleter AS_STORED = row -> new Ready(row.payload());

    /**
     * The body to send for a claimed row, or {@link Postpone} when it should wait. An exception means "unknown for now": the
     * row is retried later (an attempt counted).
     */
    Completion complete(OutboxTable.Claimed row);

    /** What {@link #complete} decided. */
    sealed interface Completion permits Ready, Postpone {
    }

    /** Send this body (JSON). */
    record Ready(String payload) implements Completion {
    }

    /** Not yet: due again after {@code delay}; {@code reason} goes to the row's last_error. */
    record Postpone(Duration delay, String reason) implements Completion {
    }
}
