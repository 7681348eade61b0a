package io.finsent.scorer.replay;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response;

import io.finsent.common.ApiKeyHash;
import io.finsent.scorer.ScorerConfig;

/**
 * The admin key of the replay API, from the {@code X-Api-Key} header, checked against {@code scorer.admin.key-sha256}.
 * Without that setting the API is off: every call is 403 (a key cannot help), so a scorer started without one never
 * runs replays for anybody. A missing or wrong key is 401.
 */
@ApplicationScoped
public class AdminKey {

    static final String PROPERTY = "scorer.admin.key-sha256";

    private final Optional<byte[]> expected;

    @Inject
    AdminKey(ScorerConfig config) {
        this(config.admin().keySha256());
    }

    /** @param keySha256 the configured hash, if any */
    AdminKey(Optional<String> keySha256) {
        // Parsed at start-up: a malformed hash stops the scorer with the reason instead of failing each call.
        this.expected = keySha256.filter(hex -> !hex.isBlank()).map(hex -> ApiKeyHash.parse(hex, PROPERTY));
    }

    /** @throws ReplayApiException 403 when no key is configured, 401 for a missing or wrong key */
    void require(String apiKey) {
        if (expected.isEmpty()) {
            throw new ReplayApiException(Response.Status.FORBIDDEN, "the replay API is off on this scorer: set " + PROPERTY
                    + " to the SHA-256 of an admin key (./monitor up passes the one in .data/admin.key)");
        }
        if (apiKey == null || apiKey.isBlank()) {
            throw new ReplayApiException(Response.Status.UNAUTHORIZED, "no API key: send the admin key in the X-Api-Key header");
        }
        if (!ApiKeyHash.matches(apiKey.strip(), expected.get())) {
            throw new ReplayApiException(Response.Status.UNAUTHORIZED, "wrong API key: the replay API needs the admin key");
        }
    }
}
