-- Every scored text of a run (live or a replay), as the scorer wrote it to the run's scored topic: what an
-- alert's evidence, the texts API and search read. Written by the alerting service's text sink with
-- ON CONFLICT DO NOTHING, so a redelivery changes nothing. stored_at (wall clock, when the row was written) is
-- only for retention: a backlog of old texts is kept as long as fresh ones.
CREATE TABLE scored_text (
    run_id       TEXT             NOT NULL,
    text_id      TEXT             NOT NULL,
    published_at TIMESTAMPTZ      NOT NULL,
    source_kind  TEXT             NOT NULL,
    source       TEXT             NOT NULL,
    title        TEXT,
    url          TEXT,
    body         TEXT,
    tickers      TEXT[]           NOT NULL,
    topics       TEXT[]           NOT NULL,
    label        TEXT             NOT NULL CHECK (label IN ('NEGATIVE', 'NEUTRAL', 'POSITIVE')),
    p_negative   DOUBLE PRECISION NOT NULL,
    p_neutral    DOUBLE PRECISION NOT NULL,
    p_positive   DOUBLE PRECISION NOT NULL,
    score        DOUBLE PRECISION NOT NULL,
    category     TEXT,
    model        TEXT             NOT NULL,
    stored_at    TIMESTAMPTZ      NOT NULL DEFAULT now(),
    -- PostgreSQL's own text search over the title and the text (English stemming).
    search       TSVECTOR GENERATED ALWAYS AS (to_tsvector('english', coalesce(title, '') || ' ' || coalesce(body, ''))) STORED,
    PRIMARY KEY (run_id, text_id)
);
CREATE INDEX scored_text_search ON scored_text USING GIN (search);
CREATE INDEX scored_text_retention ON scored_text (run_id, stored_at);
CREATE INDEX scored_text_run_time ON scored_text (run_id, published_at);

-- A text under each topic it matched: the index behind "a topic's texts in a time range" (evidence, the texts API).
CREATE TABLE scored_text_topic (
    run_id       TEXT        NOT NULL,
    topic        TEXT        NOT NULL,
    published_at TIMESTAMPTZ NOT NULL,
    text_id      TEXT        NOT NULL,
    PRIMARY KEY (run_id, topic, published_at, text_id),
    FOREIGN KEY (run_id, text_id) REFERENCES scored_text (run_id, text_id) ON DELETE CASCADE
);
CREATE INDEX scored_text_topic_text ON scored_text_topic (run_id, text_id);
