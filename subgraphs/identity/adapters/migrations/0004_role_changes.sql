-- Every role granted or revoked and every account disabled, by whom and when: the
-- admin portal's audit of "users and roles" (appended in the same transaction as the
-- change).
CREATE TABLE role_changes (
    id       bigserial PRIMARY KEY,
    user_id  uuid NOT NULL REFERENCES users (id),
    role     text NOT NULL DEFAULT '',
    change   text NOT NULL CHECK (change IN ('GRANTED', 'REVOKED', 'DISABLED')),
    actor_id text NOT NULL,
    at       timestamptz NOT NULL
);
CREATE INDEX role_changes_by_user ON role_changes (user_id, id);

-- The admin user list searches by email or name prefix and pages in email order.
CREATE INDEX users_email_prefix ON users (email text_pattern_ops);
CREATE INDEX users_name_prefix ON users (lower(name) text_pattern_ops);
