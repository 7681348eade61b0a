package io.finsent.ingest.service;

import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import io.finsent.common.ApiKeyHash;

/**
 * API keys of the push and feed APIs, checked against their SHA-256 as configured: the keys themselves are
 * never stored. A request names its key in {@code X-API-Key} or {@code Authorization: Bearer KEY}.
 */
@ApplicationScoped
public class ApiKeys {

    public enum Role { PUSH, FEEDS }

    /** Who called, or why not: no key or an unknown key (401), a known key without the role (403). */
    public sealed interface Outcome permits Allowed, Unauthenticated, Forbidden {
    }

    public record Allowed(String client) implements Outcome {
    }

    public record Unauthenticated(String reason) implements Outcome {
    }

    public record Forbidden(String client, Role role) implements Outcome {
    }

    private final Map<String, IngestConfig.Client> clients;

    ApiKeys(IngestConfig config) {
        this.clients = config.clients();
    }

    public Outcome check(String apiKeyHeader, String authorization, Role role) {
        String key = apiKeyHeader;
        if ((key == null || key.isBlank()) && authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            key = authorization.substring(7).strip();
        }
        if (key == null || key.isBlank()) {
            return new Unauthenticated("no API key: send it in the X-API-Key header or as Authorization: Bearer KEY");
        }
        Optional<String> client = clientOf(key);
        if (client.isEmpty()) {
            return new Unauthenticated("unknown API key");
        }
        boolean hasRole = clients.get(client.get()).roles().stream().anyMatch(r -> r.strip().equalsIgnoreCase(role.name()));
        return hasRole ? new Allowed(client.get()) : new Forbidden(client.get(), role);
    }

    private Optional<String> clientOf(String key) {
        for (var entry : clients.entrySet()) {
            byte[] expected = ApiKeyHash.parse(entry.getValue().keySha256(), "ingest.clients." + entry.getKey() + ".key-sha256");
            if (ApiKeyHash.matches(key, expected)) {
                return Optional.of(entry.getKey());
            }
        }
        return Optional.empty();
    }
}
