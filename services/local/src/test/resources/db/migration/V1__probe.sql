CREATE TABLE probe (
    id   TEXT PRIMARY KEY,
    seen TIMESTAMPTZ NOT NULL
);
INSERT INTO probe (id, seen) VALUES ('migrated', now());
