package io.finsent.service.api;

import java.util.Optional;
import java.util.Set;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Every API of the three services takes UTF-8 JSON bodies only: a POST, PUT or PATCH whose Content-Type names another
 * charset, or whose Content-Encoding is not identity, is answered 415 before its body is read ({@link Utf8Body#checkHeaders}).
 * The body itself is then decoded strictly ({@link Utf8Body#decode}, in {@link JsonRequests} and ingest's push API).
 */
public class Utf8Headers {

    private static final Set<String> WITH_BODY = Set.of("POST", "PUT", "PATCH");

    @ServerRequestFilter(preMatching = true)
    public Optional<Response> refuseOtherEncodings(ContainerRequestContext request) {
        if (!WITH_BODY.contains(request.getMethod())) {
            return Optional.empty();
        }
        try {
            Utf8Body.checkHeaders(request.getHeaderString(HttpHeaders.CONTENT_TYPE), request.getHeaders().get(HttpHeaders.CONTENT_ENCODING));
            return Optional.empty();
        } catch (ApiProblem e) {
            return Optional.of(e.toResponse());
        }
    }
}
