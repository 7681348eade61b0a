package io.finsent.scorer.replay;

import java.util.Optional;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.finsent.common.ApiKeyHash;
import io.finsent.scorer.ScorerConfig;
import io.finsent.service.api.ApiProblem;
import io.finsent.service.security.ApiKeyCaller;
import io.finsent.service.security.ApiKeyRealm;

/**
 * The scorer's API keys, from the {@code X-Api-Key} header: the admin key ({@code scorer.admin.key-sha256}, role
 * {@value #ADMIN}: replays and explanations) and the alerting service's explain key ({@code scorer.explain.key-sha256}, role
 * {@value #EXPLAIN}: explanations only). Without either setting the API is off: every call is 403 (a key cannot help), so a
 * scorer started without one never runs replays for anybody. A missing or wrong key is 401.
 */
@ApplicationScoped
public class ScorerKeys implements ApiKeyRealm {

    public static final String ADMIN = "admin";
    public static final String EXPLAIN = "explain";
    static final String PROPERTY = "scorer.admin.key-sha256";
    static final String EXPLAIN_PROPERTY = "scorer.explain.key-sha256";

    private final Optional<byte[]> admin;
    private final Optional<byte[]> explain;

    @Inject
    ScorerKeys(ScorerConfig config) {
        this(config.admin().keySha256(), config.explain().keySha256());
    }

    /** @param keySha256 the configured admin key hash, if any */
    ScorerKeys(Optional<String> keySha256) {
        this(keySha256, Optional.empty());
    }

    /** @param adminSha256 the configured admin key hash, if any; @param explainSha256 the explain key's */
    ScorerKeys(Optional<String> adminSha256, Optional<String> explainSha256) {
        // Parsed at start-up: a malformed hash stops the scorer with the reason instead of failing each call.
        this.admin = adminSha256.filter(hex -> !hex.isBlank()).map(hex -> ApiKeyHash.parse(hex, PROPERTY));
        this.explain = explainSha256.filter(hex -> !hex.isBlank()).map(hex -> ApiKeyHash.parse(hex, EXPLAIN_PROPERTY));
    }

    @Override
    public ApiKeyCaller identify(String key) {
        if (admin.isEmpty() && explain.isEmpty()) {
            throw off();
        }
        if (admin.isPresent() && ApiKeyHash.matches(key, admin.get())) {
            return new ApiKeyCaller(ADMIN, Set.of(ADMIN), null);
        }
        if (explain.isPresent() && ApiKeyHash.matches(key, explain.get())) {
            return new ApiKeyCaller(EXPLAIN, Set.of(EXPLAIN), null);
        }
        throw ApiProblem.unauthorized("wrong API key: the scorer's API needs the admin key (or, for explanations, the explain key)");
    }

    @Override
    public ApiProblem missingKey() {
        return admin.isEmpty() && explain.isEmpty() ? off() : ApiProblem.unauthorized("no API key: send the admin key in the X-Api-Key header");
    }

    @Override
    public ApiProblem forbidden(ApiKeyCaller caller, Set<String> rolesAllowed) {
        return ApiProblem.forbidden("this needs the admin key");
    }

    @Override
    public String challenge() {
        return "ApiKey header=\"X-Api-Key\"";
    }

    private static ApiProblem off() {
        return ApiProblem.forbidden("the scorer's API is off: set " + PROPERTY
                + " to the SHA-256 of an admin key (./monitor up passes the one in .data/admin.key)");
    }
}
