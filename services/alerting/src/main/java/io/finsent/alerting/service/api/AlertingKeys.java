package io.finsent.alerting.service.api;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;

import io.finsent.alerting.service.AlertingConfig;
import io.finsent.alerting.store.AnalystTable;
import io.finsent.alerting.store.AnalystTable.KeyOwner;
import io.finsent.common.ApiKeyHash;
import io.finsent.service.api.ApiProblem;
import io.finsent.service.security.ApiKeyCaller;
import io.finsent.service.security.ApiKeyIdentityProvider;
import io.finsent.service.security.ApiKeyRealm;
import io.quarkus.security.identity.SecurityIdentity;

/**
 * The alerting API's keys: an analyst's (table api_key, stored as SHA-256 only, never logged), or the bootstrap admin's of
 * {@code alerting.admin.key-sha256}, who has no analyst row. Roles: {@value #ANALYST} for every key of an analyst (who can own
 * subscriptions and silences), {@value #ADMIN} for a key with the admin role (the bootstrap key has only that one). Resources
 * say which they need with {@code @RolesAllowed}, or {@code @Authenticated} for any valid key. A missing, unknown or revoked key
 * is 401, a key without the role 403.
 */
@ApplicationScoped
public class AlertingKeys implements ApiKeyRealm {

    public static final String ANALYST = "analyst";
    public static final String ADMIN = "admin";
    static final String PROPERTY = "alerting.admin.key-sha256";

    private static final SecureRandom RANDOM = new SecureRandom();

    private final AnalystTable analysts;
    private final Optional<byte[]> bootstrapAdmin;

    AlertingKeys(Jdbi jdbi, AlertingConfig config) {
        this.analysts = jdbi.onDemand(AnalystTable.class);
        this.bootstrapAdmin = config.admin().keySha256().filter(s -> !s.isBlank()).map(hex -> ApiKeyHash.parse(hex, PROPERTY));
    }

    @Override
    public ApiKeyCaller identify(String key) {
        if (bootstrapAdmin.isPresent() && ApiKeyHash.matches(key, bootstrapAdmin.get())) {
            return caller(new KeyOwner(null, "admin (" + PROPERTY + ")", ADMIN));
        }
        Optional<KeyOwner> owner;
        try {
            owner = analysts.keyOwner(ApiKeyHash.hex(key));
        } catch (JdbiException e) {
            throw AlertingErrors.databaseUnavailable(e);
        }
        return caller(owner.orElseThrow(() -> ApiProblem.unauthorized("unknown or revoked API key")));
    }

    private static ApiKeyCaller caller(KeyOwner owner) {
        Set<String> roles = new HashSet<>();
        if (owner.id() != null) {
            roles.add(ANALYST);
        }
        if (ADMIN.equals(owner.role())) {
            roles.add(ADMIN);
        }
        return new ApiKeyCaller(owner.name(), roles, owner);
    }

    @Override
    public ApiProblem missingKey() {
        return ApiProblem.unauthorized("no API key: send it in the X-Api-Key header");
    }

    @Override
    public ApiProblem forbidden(ApiKeyCaller caller, Set<String> rolesAllowed) {
        if (rolesAllowed.contains(ANALYST) && !caller.roles().contains(ANALYST)) {
            return ApiProblem.forbidden("the bootstrap admin key has no analyst: create one with POST /v1/analysts and use its key");
        }
        return ApiProblem.forbidden("this needs an admin key; " + caller.name() + "'s key has the analyst role");
    }

    @Override
    public String challenge() {
        return "ApiKey header=\"X-Api-Key\"";
    }

    /** Who made an authenticated request: an analyst, or the bootstrap admin ({@code id} null). */
    static KeyOwner owner(SecurityIdentity identity) {
        return ApiKeyIdentityProvider.caller(identity).details(KeyOwner.class);
    }

    /** The analyst behind a request that needed the {@value #ANALYST} role. */
    static long analystId(SecurityIdentity identity) {
        return owner(identity).id();
    }

    /**
     * Whose topics a request may read (their alerts and texts): null for a key with the admin role (every topic, read
     * only: an admin owns no subscriptions), else the analyst's id (the topics of their subscriptions).
     */
    static Long topicReader(SecurityIdentity identity) {
        return identity.hasRole(ADMIN) ? null : analystId(identity);
    }

    /** A fresh random key (or webhook secret): shown once, stored only as its hash. */
    static String newKey() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return "fsk_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
