package io.finsent.alerting.service.api;

import jakarta.ws.rs.core.Response;

/** A refused request: the status and a message that tells the caller what to do; answered as {@code {"error": message}}. */
public class ApiException extends RuntimeException {

    private final Response.Status status;

    public ApiException(Response.Status status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    public Response.Status status() {
        return status;
    }

    public static ApiException badRequest(String message) {
        return new ApiException(Response.Status.BAD_REQUEST, message);
    }

    public static ApiException forbidden(String message) {
        return new ApiException(Response.Status.FORBIDDEN, message);
    }

    public static ApiException notFound(String message) {
        return new ApiException(Response.Status.NOT_FOUND, message);
    }
}
