package io.finsent.service.api;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** The body of every refused request of the three services: {@code {"error": "what went wrong and what to do"}}. */
public record ApiError(String error) {

    public static Response.ResponseBuilder response(Response.StatusType status, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(new ApiError(message));
    }
}
