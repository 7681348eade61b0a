package io.finsent.service.security;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import io.finsent.service.api.ApiProblem;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;

/** Turns a key into a {@link SecurityIdentity} through the service's {@link ApiKeyRealm}, on a worker thread. */
@ApplicationScoped
public class ApiKeyIdentityProvider implements IdentityProvider<ApiKeyRequest> {

    private static final String CALLER = ApiKeyCaller.class.getName();

    private final Instance<ApiKeyRealm> realm;

    ApiKeyIdentityProvider(Instance<ApiKeyRealm> realm) {
        this.realm = realm;
    }

    @Override
    public Class<ApiKeyRequest> getRequestType() {
        return ApiKeyRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(ApiKeyRequest request, AuthenticationRequestContext context) {
        return context.runBlocking(() -> {
            ApiKeyCaller caller;
            try {
                caller = realm.get().identify(request.key());
            } catch (ApiProblem refused) {
                throw new AuthenticationFailedException(refused.getMessage(), refused);
            }
            return QuarkusSecurityIdentity.builder().setPrincipal(new QuarkusPrincipal(caller.name())).addRoles(caller.roles())
                    .addAttribute(CALLER, caller).build();
        });
    }

    /** The caller behind an authenticated identity. */
    public static ApiKeyCaller caller(SecurityIdentity identity) {
        ApiKeyCaller caller = identity.getAttribute(CALLER);
        if (caller == null) {
            throw new IllegalStateException("no API-key caller on this request: is the resource method missing @RolesAllowed or @Authenticated?");
        }
        return caller;
    }
}
