-- A copy of the compacted topic.config topic (the source of truth), for listing.
CREATE TABLE topic_definition (
    id         TEXT PRIMARY KEY,
    name       TEXT        NOT NULL,
    definition JSONB       NOT NULL,
    enabled    BOOLEAN     NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
