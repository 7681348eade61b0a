package io.finsent.scorer.replay;

import jakarta.ws.rs.core.Response;

/** A refused call of the replay API: its status and a message that says what to do, answered as {@code {"error": message}}. */
final class ReplayApiException extends RuntimeException {

    private final Response.Status status;

    ReplayApiException(Response.Status status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    Response.Status status() {
        return status;
    }
}
