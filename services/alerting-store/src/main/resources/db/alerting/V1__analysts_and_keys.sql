-- Analysts and their API keys. Keys are stored as SHA-256 (hex) only; the key itself is shown once, on creation.
CREATE TABLE analyst (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       TEXT        NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    deleted_at TIMESTAMPTZ
);

CREATE TABLE api_key (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key_sha256 TEXT        NOT NULL UNIQUE,
    analyst_id BIGINT      NOT NULL REFERENCES analyst (id),
    role       TEXT        NOT NULL CHECK (role IN ('analyst', 'admin')),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    revoked_at TIMESTAMPTZ
);
CREATE INDEX api_key_analyst ON api_key (analyst_id);
