package io.finsent.alerting.store;

import java.time.Instant;
import java.util.List;

import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * Table {@code topic_definition}: a copy of the compacted topic.config topic (the source of truth), for listing. {@code definition}
 * is the API's view of the definition, as JSON text.
 */
public interface TopicDefinitionTable {

    /** Every stored definition (JSON text), by id. */
    @SqlQuery("SELECT definition::text AS definition FROM topic_definition ORDER BY id")
    List<String> definitions();

    @SqlUpdate("""
            INSERT INTO topic_definition (id, name, definition, enabled, updated_at)
            VALUES (:id, :name, CAST(:definition AS jsonb), :enabled, :updatedAt)
            ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, definition = EXCLUDED.definition, enabled = EXCLUDED.enabled,
                updated_at = EXCLUDED.updated_at
            """)
    void upsert(@Bind("id") String id, @Bind("name") String name, @Bind("definition") String definitionJson, @Bind("enabled") boolean enabled,
                @Bind("updatedAt") Instant updatedAt);

    @SqlQuery("SELECT EXISTS (SELECT 1 FROM topic_definition WHERE id = :id)")
    boolean exists(@Bind("id") String id);

    @SqlUpdate("DELETE FROM topic_definition WHERE id = :id")
    int delete(@Bind("id") String id);
}
