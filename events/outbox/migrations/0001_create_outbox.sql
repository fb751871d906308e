-- One row per event a producer committed. seq orders rows; per subject it is also commit
-- order, because Outbox.Add serializes writers of one subject (see outbox.go).
CREATE TABLE outbox (
    seq        bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id   uuid        NOT NULL UNIQUE,
    topic      text        NOT NULL,
    subject    text        NOT NULL,
    value      bytea       NOT NULL,
    headers    jsonb       NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    sent_at    timestamptz
);

-- The relay's two questions: the oldest unsent rows, and whether a subject has an older
-- unsent row. Partial, so sent rows awaiting clean-up cost nothing.
CREATE INDEX outbox_unsent_seq ON outbox (seq) WHERE sent_at IS NULL;
CREATE INDEX outbox_unsent_subject ON outbox (subject, seq) WHERE sent_at IS NULL;
CREATE INDEX outbox_sent_at ON outbox (sent_at) WHERE sent_at IS NOT NULL;
