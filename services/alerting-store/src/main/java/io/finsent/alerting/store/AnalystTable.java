package io.finsent.alerting.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.GetGeneratedKeys;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * Tables {@code analyst} and {@code api_key}: who may call the alerting API. Keys are stored as SHA-256 (hex) only; an analyst
 * is deleted by marking it ({@code deleted_at}) and revoking its keys, so history that names it stays. The rows are also the
 * API's answers ({@code GET /v1/analysts}, {@code GET /v1/analysts/me}), hence their JSON names.
 */
@RegisterConstructorMapper(AnalystTable.KeyOwner.class)
@RegisterConstructorMapper(AnalystTable.Analyst.class)
public interface AnalystTable {

    /**
     * Who a key stands for: an analyst and the role of that key ({@code analyst} or {@code admin}); {@code id} is null for a key
     * without an analyst row (the bootstrap admin of {@code alerting.admin.key-sha256}).
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record KeyOwner(Long id, String name, String role) {
    }

    /** A live analyst; {@code roles} the distinct roles of their live keys, comma-separated (null without one). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Analyst(long id, String name, Instant createdAt, String roles) {
    }

    /** The live analyst behind a live key. */
    @SqlQuery("""
            SELECT a.id, a.name, k.role FROM api_key k JOIN analyst a ON a.id = k.analyst_id
             WHERE k.key_sha256 = :keySha256 AND k.revoked_at IS NULL AND a.deleted_at IS NULL
            """)
    Optional<KeyOwner> keyOwner(@Bind("keySha256") String keySha256Hex);

    /** Live analysts by id. */
    @SqlQuery("""
            SELECT a.id, a.name, a.created_at,
                   (SELECT string_agg(DISTINCT k.role, ',') FROM api_key k WHERE k.analyst_id = a.id AND k.revoked_at IS NULL) AS roles
              FROM analyst a WHERE a.deleted_at IS NULL ORDER BY a.id
            """)
    List<Analyst> live();

    /** @return the new analyst's id */
    @SqlUpdate("INSERT INTO analyst (name) VALUES (:name)")
    @GetGeneratedKeys("id")
    long insertAnalyst(@Bind("name") String name);

    @SqlUpdate("INSERT INTO api_key (key_sha256, analyst_id, role) VALUES (:keySha256, :analystId, :role)")
    void insertKey(@Bind("keySha256") String keySha256Hex, @Bind("analystId") long analystId, @Bind("role") String role);

    /** An analyst and their first key ({@code role}); call it in a transaction. @return the analyst's id */
    default long create(String name, String keySha256Hex, String role) {
        long id = insertAnalyst(name);
        insertKey(keySha256Hex, id, role);
        return id;
    }

    /** @return 0 when there is no live analyst {@code id} */
    @SqlUpdate("UPDATE analyst SET deleted_at = now() WHERE id = :id AND deleted_at IS NULL")
    int markDeleted(@Bind("id") long id);

    @SqlUpdate("UPDATE api_key SET revoked_at = now() WHERE analyst_id = :analystId AND revoked_at IS NULL")
    int revokeKeys(@Bind("analystId") long analystId);
}
