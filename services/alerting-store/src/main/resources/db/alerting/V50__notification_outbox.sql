-- Alert notifications waiting for delivery: written by services/alerting in the transaction that
-- raises the alert, delivered by io.finsent.notify.OutboxDispatcher (services/notify).
CREATE TABLE notification_outbox (
  id               BIGSERIAL PRIMARY KEY,
  idempotency_key  TEXT NOT NULL UNIQUE,      -- also sent as the Idempotency-Key header
  analyst_id       BIGINT NOT NULL,
  subscription_id  BIGINT NOT NULL,
  channel          TEXT NOT NULL CHECK (channel IN ('webhook')),
  target           TEXT NOT NULL,             -- webhook URL
  payload          JSONB NOT NULL,
  status           TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','delivered','failed','refused','dropped')),
  attempts         INT NOT NULL DEFAULT 0,
  next_attempt_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  last_error       TEXT,
  created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
  delivered_at     TIMESTAMPTZ
);
CREATE INDEX notification_outbox_due ON notification_outbox (next_attempt_at) WHERE status = 'pending';
