-- One row per user: the seq of their newest inbox entry. Writers take the row's lock, so a
-- user's seqs are 1, 2, 3... in commit order with no gaps: live inboxes resume after a seq.
CREATE TABLE inbox_heads (
  user_id  text PRIMARY KEY,
  last_seq bigint NOT NULL
);

CREATE TABLE notifications (
  id          uuid PRIMARY KEY,
  user_id     text NOT NULL,
  seq         bigint NOT NULL,
  event_id    text NOT NULL,
  category    text NOT NULL,
  kind        text NOT NULL,
  title       text NOT NULL,
  body        text NOT NULL,
  locale      text NOT NULL,
  order_id    text,
  read_at     timestamptz,
  archived_at timestamptz,
  created_at  timestamptz NOT NULL,
  UNIQUE (user_id, seq),
  -- One notification per (event, recipient, kind): a redelivered event writes nothing.
  UNIQUE (event_id, user_id, kind)
);
CREATE INDEX notifications_unread ON notifications (user_id) WHERE read_at IS NULL AND archived_at IS NULL;

-- The outbox of sends: one row per (event, recipient, channel); every attempt of it
-- passes idempotency_key to the provider.
CREATE TABLE deliveries (
  id              uuid PRIMARY KEY,
  notification_id uuid REFERENCES notifications (id),
  user_id         text NOT NULL,
  event_id        text NOT NULL,
  channel         text NOT NULL,
  status          text NOT NULL,
  idempotency_key text NOT NULL UNIQUE,
  address         text NOT NULL,
  locale          text NOT NULL,
  subject         text NOT NULL,
  body_text       text NOT NULL,
  body_html       text NOT NULL,
  digest_key      text,
  provider        text,
  provider_answer text,
  reason          text,
  attempts        int NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL,
  lease_until     timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status IN ('queued', 'failed', 'sending');
CREATE INDEX deliveries_digest ON deliveries (digest_key) WHERE digest_key IS NOT NULL AND status = 'queued';
CREATE INDEX deliveries_notification ON deliveries (notification_id);
CREATE INDEX deliveries_user ON deliveries (user_id, id);

CREATE TABLE notification_settings (
  user_id     text PRIMARY KEY,
  email       text NOT NULL DEFAULT '',
  phone       text NOT NULL DEFAULT '',
  push_token  text NOT NULL DEFAULT '',
  locale      text NOT NULL DEFAULT 'en',
  time_zone   text NOT NULL DEFAULT 'UTC',
  quiet_start int,
  quiet_end   int,
  -- ["orders:email", ...]: channels turned off per category.
  opt_outs    text[] NOT NULL DEFAULT '{}',
  updated_at  timestamptz NOT NULL DEFAULT now()
);
