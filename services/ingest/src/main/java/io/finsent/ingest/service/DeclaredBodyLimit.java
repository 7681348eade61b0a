package io.finsent.ingest.service;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.finsent.service.http.EarlyAnswer;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

/**
 * A push whose Content-Length is past {@code ingest.push.max-body-bytes} is answered 413 before its body is read (a
 * Vert.x filter, ahead of Quarkus's own check of {@code quarkus.http.limits.max-body-size}). {@link ItemsResource}
 * takes its body whole, read on the event loop before the method runs, so a slow body holds no worker thread (the
 * request gate bounds how long it may take, {@code finsent.http.body-timeout}); a chunked body is counted as it
 * arrives, and one past {@code quarkus.http.limits.max-body-size} is refused by Quarkus itself.
 */
@ApplicationScoped
public class DeclaredBodyLimit {

    /** After the request gate (1,000), before Quarkus's handlers. */
    private static final int PRIORITY = 900;

    private final int limit;

    DeclaredBodyLimit(IngestConfig config) {
        this.limit = config.push().maxBodyBytes();
    }

    void install(@Observes Filters filters) {
        filters.register(this::check, PRIORITY);
    }

    private void check(RoutingContext context) {
        HttpServerRequest request = context.request();
        String length = request.getHeader("Content-Length");
        if (length != null && request.method() == HttpMethod.POST && "/v1/items".equals(request.path())) {
            try {
                long declared = Long.parseLong(length.strip());
                if (declared > limit) {
                    EarlyAnswer.refuse(context, 413, ItemsResource.tooLargeMessage(declared, limit), 0);
                    return;
                }
            } catch (NumberFormatException e) {
                // Vert.x refuses a malformed Content-Length itself
            }
        }
        context.next();
    }
}
