-- Refresh tokens: only the SHA-256 of the secret is stored. A family is one login;
-- reuse of a rotated token revokes the whole family.
CREATE TABLE refresh_tokens (
    token_hash bytea PRIMARY KEY,
    family_id  uuid NOT NULL,
    user_id    uuid NOT NULL REFERENCES users (id),
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    rotated_at timestamptz,
    revoked_at timestamptz
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id);

-- Signing keys: the newest key not yet retired signs; every key not yet expired is
-- published in the JWKS so tokens it signed keep verifying during the overlap.
-- private_key holds the Ed25519 seed; production should wrap it with a KMS key.
CREATE TABLE signing_keys (
    kid         text PRIMARY KEY,
    algorithm   text NOT NULL,
    private_key bytea NOT NULL,
    public_key  bytea NOT NULL,
    created_at  timestamptz NOT NULL,
    retire_at   timestamptz NOT NULL,
    expire_at   timestamptz NOT NULL
);
