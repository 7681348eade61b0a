package io.finsent.alerting.service.api;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;

import io.finsent.alerting.service.AlertingConfig;
import io.finsent.common.ApiKeyHash;

/**
 * API keys, from the {@code X-Api-Key} header. Keys are stored as SHA-256 only (table api_key) and never
 * logged; a missing, unknown or revoked key is 401, a key without the needed role 403.
 */
@ApplicationScoped
public class Authenticator {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final DataSource dataSource;
    private final Optional<byte[]> bootstrapAdmin;

    Authenticator(DataSource dataSource, AlertingConfig config) {
        this.dataSource = dataSource;
        this.bootstrapAdmin = config.admin().keySha256().filter(s -> !s.isBlank()).map(hex -> ApiKeyHash.parse(hex, "alerting.admin.key-sha256"));
    }

    /** Any valid key. */
    public Caller require(String apiKey) throws SQLException {
        if (apiKey == null || apiKey.isBlank()) {
            throw new ApiException(Response.Status.UNAUTHORIZED, "no API key: send it in the X-Api-Key header");
        }
        byte[] hash = ApiKeyHash.of(apiKey.strip());
        if (bootstrapAdmin.isPresent() && MessageDigest.isEqual(hash, bootstrapAdmin.get())) {
            return new Caller(null, "admin (alerting.admin.key-sha256)", Caller.Role.ADMIN);
        }
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("""
                        SELECT a.id, a.name, k.role FROM api_key k JOIN analyst a ON a.id = k.analyst_id
                         WHERE k.key_sha256 = ? AND k.revoked_at IS NULL AND a.deleted_at IS NULL
                        """)) {
            s.setString(1, HexFormat.of().formatHex(hash));
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    throw new ApiException(Response.Status.UNAUTHORIZED, "unknown or revoked API key");
                }
                return new Caller(rs.getLong(1), rs.getString(2), Caller.Role.valueOf(rs.getString(3).toUpperCase(Locale.ROOT)));
            }
        }
    }

    /** A key of an analyst (who can own subscriptions and silences). */
    public Caller requireAnalyst(String apiKey) throws SQLException {
        Caller caller = require(apiKey);
        if (caller.analystId() == null) {
            throw ApiException.forbidden("the bootstrap admin key has no analyst: create one with POST /v1/analysts and use its key");
        }
        return caller;
    }

    /** A key with the admin role. */
    public Caller requireAdmin(String apiKey) throws SQLException {
        Caller caller = require(apiKey);
        if (!caller.admin()) {
            throw ApiException.forbidden("this needs an admin key; " + caller.name() + "'s key has the analyst role");
        }
        return caller;
    }

    /** A fresh random key: shown once, stored only as its hash. */
    public static String newKey() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return "fsk_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

}
