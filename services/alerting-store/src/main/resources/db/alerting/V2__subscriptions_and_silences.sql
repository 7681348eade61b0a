-- What analysts follow and how they are told. A subscription's rule overrides make a rule set of their own:
-- rule_set is RuleParams.id() of the effective parameters, rule_params their full JSON (RuleParams.toJson()).
CREATE TABLE subscription (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    analyst_id     BIGINT      NOT NULL REFERENCES analyst (id),
    topic          TEXT        NOT NULL,               -- a topic id or '*'
    rule_overrides JSONB,                              -- as the analyst gave them; null = the defaults
    rule_set       TEXT        NOT NULL,
    rule_params    TEXT        NOT NULL,
    min_severity   TEXT        NOT NULL CHECK (min_severity IN ('INFO', 'WARNING', 'CRITICAL')),
    webhook_url    TEXT,
    webhook_secret TEXT        NOT NULL,
    enabled        BOOLEAN     NOT NULL DEFAULT true,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    deleted_at     TIMESTAMPTZ                          -- kept, not deleted: outbox rows refer to it
);
CREATE INDEX subscription_analyst ON subscription (analyst_id) WHERE deleted_at IS NULL;
CREATE INDEX subscription_topic ON subscription (topic, rule_set) WHERE deleted_at IS NULL;

-- Alertmanager-like silences: matchers (exact or '*'), a time range (wall clock), who and why.
-- A silence mutes its own analyst's notifications only.
CREATE TABLE silence (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    analyst_id BIGINT      NOT NULL REFERENCES analyst (id),
    topic      TEXT        NOT NULL DEFAULT '*',
    rule       TEXT        NOT NULL DEFAULT '*',
    rule_set   TEXT        NOT NULL DEFAULT '*',
    severity   TEXT        NOT NULL DEFAULT '*',
    starts_at  TIMESTAMPTZ NOT NULL,
    ends_at    TIMESTAMPTZ NOT NULL,
    comment    TEXT        NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    expired_at TIMESTAMPTZ
);
CREATE INDEX silence_analyst_ends ON silence (analyst_id, ends_at);
