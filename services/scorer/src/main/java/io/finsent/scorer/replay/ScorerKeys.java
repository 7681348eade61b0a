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
 * The admin key of the replay API, from the {@code X-Api-Key} header, checked against {@code scorer.admin.key-sha256};
 * it carries the {@value #ADMIN} role. Without that setting the API is off: every call is 403 (a key cannot help), so a
 * scorer started without one never runs replays for anybody. A missing or wrong key is 401.
 */
@ApplicationScoped
public class ScorerKeys implements ApiKeyRealm {

    public static final String ADMIN = "admin";
    static final String PROPERTY = "scorer.admin.key-sha256";

    private final Optional<byte[]> expected;

    @Inject
    ScorerKeys(ScorerConfig config) {
        this(config.admin().keySha256());
    }

    /** @param keySha256 the configured hash, if any */
    ScorerKeys(Optional<String> keySha256) {
        // Parsed at start-up: a malformed hash stops the scorer with the reason instead of failing each call.
        this.expected = keySha256.filter(hex -> !hex.isBlank()).map(hex -> ApiKeyHash.parse(hex, PROPERTY));
    }

    @Override
    public ApiKeyCaller identify(String key) {
        if (expected.isEmpty()) {
            throw off();
        }
        if (!ApiKeyHash.matches(key, expected.get())) {
            throw ApiProblem.unauthorized("wrong API key: the replay API needs the admin key");
        }
        return new ApiKeyCaller(ADMIN, Set.of(ADMIN), null);
    }

    @Override
    public ApiProblem missingKey() {
        return expected.isEmpty() ? off() : ApiProblem.unauthorized("no API key: send the admin key in the X-Api-Key header");
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
        return ApiProblem.forbidden("the replay API is off on this scorer: set " + PROPERTY
                + " to the SHA-256 of an admin key (./monitor up passes the one in .data/admin.key)");
    }
}
