package io.finsent.service.security;

import java.util.Set;

/**
 * Who made a request: a name for logs and messages, the roles that {@code @RolesAllowed} checks, and whatever else the
 * service knows of the caller ({@code details}, e.g. alerting's analyst), read back with {@link ApiKeyIdentityProvider#caller}.
 */
public record ApiKeyCaller(String name, Set<String> roles, Object details) {

    public ApiKeyCaller {
        roles = Set.copyOf(roles);
    }

    public <T> T details(Class<T> type) {
        return type.cast(details);
    }
}
