package io.finsent.alerting.service.api;

import java.sql.SQLException;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;
import org.jdbi.v3.core.JdbiException;

import io.finsent.service.api.ApiError;
import io.finsent.service.api.ApiProblem;

/**
 * Alerting's failures besides service-support's refusals, in the same {@code {"error": ...}} form: PostgreSQL unavailable
 * (503 with {@code Retry-After}; the store's calls fail as {@link JdbiException}s), a value it cannot store (400), and
 * the framework's own refusals (unknown path, method, media type), worded for the API's clients.
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
        String state = sqlState(e);
        if (state != null && state.startsWith("22")) {
            // A data exception (SQLSTATE class 22): a value PostgreSQL cannot take, which retrying will not change. The
            // API refuses such values before they reach the database; this answers any it missed as what it is.
            LOG.warnf("API request refused by PostgreSQL (%s): %s", state, e.getMessage());
            return ApiError.response(Response.Status.BAD_REQUEST, "a value in the request cannot be stored (" + state + "); check times, "
                    + "numbers and text for values out of range").build();
        }
        return databaseUnavailable(e).toResponse();
    }

    private static String sqlState(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                return sql.getSQLState();
            }
        }
        return null;
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
