package io.finsent.service.api;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.PathSegment;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import io.finsent.common.StorableText;

/**
 * Refuses a request whose path or query parameters, once percent-decoded, hold what {@link StorableText} refuses
 * (e.g. {@code %00}): a 400 naming the parameter, before any resource runs, so no query reaches PostgreSQL with a value it
 * cannot take (which would be answered as a database outage, 503, and retried for ever).
 */
public class StorableRequestLine {

    @ServerRequestFilter(preMatching = true)
    public Optional<Response> refuseUnstorable(ContainerRequestContext request) {
        UriInfo uri = request.getUriInfo();
        try {
            for (PathSegment segment : uri.getPathSegments(true)) {
                StorableValues.require("the path segment '" + echo(segment.getPath()) + "'", segment.getPath());
            }
            for (Map.Entry<String, List<String>> parameter : uri.getQueryParameters(true).entrySet()) {
                StorableValues.require("the name of query parameter '" + echo(parameter.getKey()) + "'", parameter.getKey());
                for (String value : parameter.getValue()) {
                    StorableValues.require("query parameter '" + echo(parameter.getKey()) + "'", value);
                }
            }
        } catch (ApiProblem e) {
            return Optional.of(e.toResponse());
        } catch (IllegalArgumentException e) {
            return Optional.of(ApiError.response(Response.Status.BAD_REQUEST, "the request's path or query is not valid percent-encoded UTF-8: "
                    + e.getMessage()).build());
        }
        return Optional.empty();
    }

    /** At most 100 characters of {@code value} for a message, what {@link StorableText} refuses shown as U+FFFD. */
    private static String echo(String value) {
        return StorableText.abbreviated(value, 100);
    }
}
