package io.finsent.notify;

/** The notification_outbox table could not be read or updated; the rows involved are retried after their claim expires. */
public final class OutboxException extends RuntimeException {

    public OutboxException(String message, Throwable cause) {
        super(message, cause);
    }
}
