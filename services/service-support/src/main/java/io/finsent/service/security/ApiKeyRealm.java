package io.finsent.service.security;

import java.util.Set;

import io.finsent.service.api.ApiProblem;

/**
 * The one part of API-key authentication each service writes itself: who a key stands for, and how a refusal reads.
 * {@link ApiKeyMechanism} takes the key from the request, {@link ApiKeyIdentityProvider} asks {@link #identify}, and
 * resources say who may call them with {@code @RolesAllowed} (or {@code @Authenticated} for any known key).
 */
public interface ApiKeyRealm {

    /**
     * The caller a key stands for. May block (a database lookup): it runs on a worker thread.
     *
     * @throws ApiProblem to refuse the key: 401 for an unknown or revoked key, 403 when the API is off
     */
    ApiKeyCaller identify(String key);

    /** The answer to a call that needs a key and sent none. */
    ApiProblem missingKey();

    /** The answer to a caller that lacks every one of {@code rolesAllowed}. */
    ApiProblem forbidden(ApiKeyCaller caller, Set<String> rolesAllowed);

    /** The {@code WWW-Authenticate} header of a 401. */
    String challenge();
}
