package io.finsent.ingest.service;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import io.finsent.common.ApiKeyHash;
import io.finsent.service.api.ApiProblem;
import io.finsent.service.security.ApiKeyCaller;
import io.finsent.service.security.ApiKeyRealm;

/**
 * API keys of the push and feed APIs, checked against their SHA-256 as configured ({@code ingest.clients.NAME}): the
 * keys themselves are never stored. A client's roles ({@value #PUSH}, {@value #FEEDS}) are what resources allow with
 * {@code @RolesAllowed}. A request names its key in {@code X-API-Key} or {@code Authorization: Bearer KEY}.
 */
@ApplicationScoped
public class IngestKeys implements ApiKeyRealm {

    public static final String PUSH = "push";
    public static final String FEEDS = "feeds";

    private static final Map<String, String> WHAT_A_ROLE_ALLOWS = Map.of(PUSH, "push items", FEEDS, "change the feed list");

    private record Client(String name, byte[] keySha256, Set<String> roles) {
    }

    private final java.util.List<Client> clients;

    IngestKeys(IngestConfig config) {
        // Parsed at start-up: a malformed hash stops ingest with the property named instead of failing each call.
        this.clients = config.clients().entrySet().stream()
                .map(e -> new Client(e.getKey(), ApiKeyHash.parse(e.getValue().keySha256(), "ingest.clients." + e.getKey() + ".key-sha256"),
                        e.getValue().roles().stream().map(r -> r.strip().toLowerCase(Locale.ROOT)).collect(Collectors.toSet())))
                .toList();
    }

    @Override
    public ApiKeyCaller identify(String key) {
        for (Client client : clients) {
            if (ApiKeyHash.matches(key, client.keySha256())) {
                return new ApiKeyCaller(client.name(), client.roles(), null);
            }
        }
        throw ApiProblem.unauthorized("unknown API key");
    }

    @Override
    public ApiProblem missingKey() {
        return ApiProblem.unauthorized("no API key: send it in the X-API-Key header or as Authorization: Bearer KEY");
    }

    @Override
    public ApiProblem forbidden(ApiKeyCaller caller, Set<String> rolesAllowed) {
        String role = rolesAllowed.stream().sorted().findFirst().orElse("?");
        return ApiProblem.forbidden("client " + caller.name() + " may not " + WHAT_A_ROLE_ALLOWS.getOrDefault(role, "call this")
                + " (it lacks the " + role + " role)");
    }

    @Override
    public String challenge() {
        return "Bearer";
    }
}
