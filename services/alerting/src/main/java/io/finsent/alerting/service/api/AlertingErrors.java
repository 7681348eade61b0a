package io.finsent.alerting.service.api;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;
import org.jdbi.v3.core.JdbiException;

import io.finsent.service.api.ApiError;
import io.finsent.service.api.ApiProblem;

/**
 * Alerting's failures besides service-support's refusals, in the same {@code {"error": ...}} form: PostgreSQL unavailable
 * (503 with {@code Retry-After}; the store's calls fail as {@link JdbiException}s) and the framework's own refusals (unknown
 * path, method, media type), worded for the API's clients.
 */
public class AlertingErrors {

    private static final Logger LOG = Logger.getLogger(AlertingErrors.class);

    /** The answer to a call whose database work failed. */
    static ApiProblem databaseUnavailable(Exception e) {
        LOG.warnf("API request failed on PostgreSQL: %s", e.getMessage());
        return new ApiProblem(Response.Status.SERVICE_UNAVAILABLE, "the database is unavailable; retry later").withHeader("Retry-After", "5");
    }

    @ServerExceptionMapper
    public Response database(JdbiException e) {
        return databaseUnavailable(e).toResponse();
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        Response.StatusType status = e.getResponse().getStatusInfo();
        String message = switch (status.getStatusCode()) {
            case 404 -> "no such resource; see /q/openapi for the API";
            case 405 -> "method not allowed on this resource";
            case 406 -> "cannot produce the requested media type; accept application/json";
            case 413 -> "request body too large";
            case 415 -> "unsupported media type; send application/json";
            default -> status.getReasonPhrase();
        };
        return ApiError.response(status, message).build();
    }
}
