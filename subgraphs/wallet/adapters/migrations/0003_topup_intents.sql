-- Top-up intents, durable: one per (user, client idempotency key), so a retry after a
-- restart or on another replica finds the intent instead of starting a second one.
-- status: PENDING -> SUCCEEDED | DECLINED | EXPIRED | FAILED (an EXPIRED intent may
-- still become SUCCEEDED when the gateway confirms late: it has the money). reason says
-- why for DECLINED, EXPIRED and FAILED.
CREATE TABLE topup_intents (
    id              text        PRIMARY KEY,
    user_id         text        NOT NULL,
    idempotency_key text        NOT NULL,
    gateway         text        NOT NULL,
    amount          bigint      NOT NULL CHECK (amount > 0),
    currency        text        NOT NULL,
    status          text        NOT NULL,
    reason          text        NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL,
    expires_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (user_id, idempotency_key)
);
CREATE INDEX topup_intents_by_user ON topup_intents (user_id, created_at);
CREATE INDEX topup_intents_pending ON topup_intents (expires_at) WHERE status = 'PENDING';
