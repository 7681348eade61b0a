package io.finsent.service.security;

import io.quarkus.security.identity.request.BaseAuthenticationRequest;

/** An API key as sent, for {@link ApiKeyIdentityProvider}. */
public final class ApiKeyRequest extends BaseAuthenticationRequest {

    private final String key;

    public ApiKeyRequest(String key) {
        this.key = key;
    }

    public String key() {
        return key;
    }
}
