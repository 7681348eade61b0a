package io.finsent.alerting.service.api;

import java.sql.SQLException;
import java.util.Map;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every error of the API as {@code {"error": "..."}} with its status. */
public class ErrorMappers {

    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

    static Response error(Response.Status status, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(Map.of("error", message)).build();
    }

    @ServerExceptionMapper
    public Response api(ApiException e) {
        Response r = error(e.status(), e.getMessage());
        if (e.status() == Response.Status.UNAUTHORIZED) {
            r.getHeaders().add("WWW-Authenticate", "ApiKey header=\"X-Api-Key\"");
        }
        return r;
    }

    @ServerExceptionMapper
    public Response database(SQLException e) {
        LOG.warnf("API request failed on PostgreSQL: %s", e.getMessage());
        return Response.fromResponse(error(Response.Status.SERVICE_UNAVAILABLE, "the database is unavailable; retry later"))
                .header("Retry-After", "5").build();
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
        return Response.status(status.getStatusCode()).type(MediaType.APPLICATION_JSON).entity(Map.of("error", message)).build();
    }
}
