package io.finsent.service.security;

import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

/**
 * Takes the API key from {@code X-Api-Key} (any case), or else from {@code Authorization: Bearer KEY}. A request without
 * one is anonymous: public paths (health, metrics, the dashboard's files) stay open, and a resource that needs a role
 * answers with {@link ApiKeyRealm#missingKey()}. Authentication is lazy ({@code quarkus.http.auth.proactive=false}) so
 * that the refusals are answered by {@link SecurityErrors} in each service's error format.
 */
@ApplicationScoped
public class ApiKeyMechanism implements HttpAuthenticationMechanism {

    static final String HEADER = "X-Api-Key";

    private final Instance<ApiKeyRealm> realm;

    /** @param realm the service's; a service without one (not yet moved to this layer) checks keys itself */
    ApiKeyMechanism(Instance<ApiKeyRealm> realm) {
        this.realm = realm;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identities) {
        String key = realm.isResolvable() ? presentedKey(context.request()) : null;
        return key == null ? Uni.createFrom().nullItem() : identities.authenticate(new ApiKeyRequest(key));
    }

    /** The key the request presents in either header, not yet checked; null when there is none. */
    public static String presentedKey(HttpServerRequest request) {
        return keyOf(request.getHeader(HEADER), request.getHeader("Authorization"));
    }

    /** The key sent in either header, stripped; null when there is none. */
    static String keyOf(String apiKeyHeader, String authorization) {
        String key = apiKeyHeader;
        if ((key == null || key.isBlank()) && authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            key = authorization.substring(7);
        }
        return key == null || key.isBlank() ? null : key.strip();
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        return Uni.createFrom().item(new ChallengeData(401, "WWW-Authenticate", realm.isResolvable() ? realm.get().challenge() : "ApiKey"));
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return Set.of(ApiKeyRequest.class);
    }
}
