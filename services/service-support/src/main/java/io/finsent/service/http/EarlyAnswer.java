package io.finsent.service.http;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * A refusal answered by a Vert.x filter, before the request reaches its resource: {@code {"error": message}} as every
 * other refusal. Over HTTP/1.x the connection is then closed, since the rest of the request's body is not read; over
 * HTTP/2 only the request's stream ends, and the connection's other streams go on.
 */
public final class EarlyAnswer {

    private EarlyAnswer() {
    }

    /** @param retryAfterSeconds the Retry-After header's value, or 0 for none */
    public static void refuse(RoutingContext context, int status, String message, long retryAfterSeconds) {
        HttpServerResponse response = context.response();
        boolean http1 = context.request().version() != HttpVersion.HTTP_2;
        response.setStatusCode(status).putHeader("Content-Type", "application/json");
        if (http1) {
            response.putHeader("Connection", "close");
        }
        if (retryAfterSeconds > 0) {
            response.putHeader("Retry-After", Long.toString(retryAfterSeconds));
        }
        response.end(new JsonObject().put("error", message).encode()).onComplete(sent -> {
            if (http1 && context.request().connection() != null) {
                context.request().connection().close();
            }
        });
    }
}
