package io.finsent.service.api;

import io.finsent.common.StorableText;

/**
 * Requests refuse what {@link StorableText} refuses with a 400 naming where it is, never a 503 that the client would
 * retry for ever: {@link JsonRequests} for every string and field name of a body, {@link StorableRequestLine} for
 * every path segment and query parameter.
 */
final class StorableValues {

    private StorableValues() {
    }

    /** A 400 for {@code what} (e.g. "field 'name'") when {@code value} may not be stored; nothing otherwise. */
    static void require(String what, String value) {
        String refusal = StorableText.refusal(value);
        if (refusal != null) {
            throw ApiProblem.badRequest(what + " " + refusal);
        }
    }
}
