-- One closed event-time window of one topic in one run (live or a replay). Upserted: a redelivery or a replay
-- writes the same values. No wall-clock column, so equal input gives equal rows.
CREATE TABLE trend_window (
    run_id          TEXT             NOT NULL,
    topic           TEXT             NOT NULL,
    window_start    TIMESTAMPTZ      NOT NULL,
    window_size_ms  BIGINT           NOT NULL,
    count           BIGINT           NOT NULL,
    negative        BIGINT           NOT NULL,
    neutral         BIGINT           NOT NULL,
    positive        BIGINT           NOT NULL,
    mean_score      DOUBLE PRECISION NOT NULL,
    score_stddev    DOUBLE PRECISION NOT NULL,
    mean_p_negative DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (run_id, topic, window_size_ms, window_start)
);
-- /v1/topics/summary and /v1/runs scan by run and time across topics.
CREATE INDEX trend_window_run_time ON trend_window (run_id, window_start);

-- What a rule set remembers per topic (TopicRuleState.toJson(): text, so equal states stay equal text).
CREATE TABLE rule_state (
    run_id            TEXT   NOT NULL,
    rule_set          TEXT   NOT NULL,
    topic             TEXT   NOT NULL,
    state             TEXT   NOT NULL,
    last_window_start BIGINT NOT NULL,
    PRIMARY KEY (run_id, rule_set, topic)
);

-- One row per alert (an episode of one rule on one topic under one rule set); times are event times.
CREATE TABLE alert (
    alert_id                 TEXT PRIMARY KEY,
    run_id                   TEXT             NOT NULL,
    rule_set                 TEXT             NOT NULL,
    rule                     TEXT             NOT NULL,
    topic                    TEXT             NOT NULL,
    severity                 TEXT             NOT NULL,
    state                    TEXT             NOT NULL CHECK (state IN ('PENDING', 'FIRING', 'RESOLVED')),
    started_at               TIMESTAMPTZ      NOT NULL,
    updated_at               TIMESTAMPTZ      NOT NULL,
    fired_at                 TIMESTAMPTZ,
    resolved_at              TIMESTAMPTZ,
    window_start             TIMESTAMPTZ      NOT NULL,
    window_size_ms           BIGINT           NOT NULL,
    observed                 DOUBLE PRECISION NOT NULL,
    baseline                 DOUBLE PRECISION NOT NULL,
    threshold                DOUBLE PRECISION NOT NULL,
    message                  TEXT             NOT NULL,
    last_notified_event_time TIMESTAMPTZ
);
CREATE INDEX alert_run_topic ON alert (run_id, topic, rule_set, updated_at DESC);
CREATE INDEX alert_firing ON alert (run_id, rule_set, topic) WHERE state = 'FIRING';

-- Every transition of every alert; a redelivered window adds nothing (unique per alert, state and window).
CREATE TABLE alert_event (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    alert_id       TEXT             NOT NULL REFERENCES alert (alert_id),
    run_id         TEXT             NOT NULL,
    rule_set       TEXT             NOT NULL,
    rule           TEXT             NOT NULL,
    topic          TEXT             NOT NULL,
    severity       TEXT             NOT NULL,
    state          TEXT             NOT NULL,
    window_start   TIMESTAMPTZ      NOT NULL,
    window_size_ms BIGINT           NOT NULL,
    event_time     TIMESTAMPTZ      NOT NULL,
    observed       DOUBLE PRECISION NOT NULL,
    baseline       DOUBLE PRECISION NOT NULL,
    threshold      DOUBLE PRECISION NOT NULL,
    message        TEXT             NOT NULL,
    UNIQUE (alert_id, state, window_start)
);
CREATE INDEX alert_event_window ON alert_event (run_id, topic, window_start);
