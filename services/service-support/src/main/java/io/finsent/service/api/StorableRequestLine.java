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
                StorableValues.require("the path segment '" + printable(segment.getPath()) + "'", segment.getPath());
            }
            for (Map.Entry<String, List<String>> parameter : uri.getQueryParameters(true).entrySet()) {
                StorableValues.require("the name of query parameter '" + printable(parameter.getKey()) + "'", parameter.getKey());
                for (String value : parameter.getValue()) {
                    StorableValues.require("query parameter '" + printable(parameter.getKey()) + "'", value);
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

    /** {@code value} with each refused character written as its code point, so an error message never carries one. */
    private static String printable(String value) {
        StringBuilder out = new StringBuilder();
        value.codePoints().limit(100).forEach(cp -> {
            if (cp < 0x10000 && StorableText.firstRefused(Character.toString(cp)) >= 0) {
                out.append(String.format("\\u%04X", cp));
            } else {
                out.appendCodePoint(cp);
            }
        });
        return out.toString();
    }
}
