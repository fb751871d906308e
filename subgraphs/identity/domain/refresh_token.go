package domain

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"time"
)

// RefreshToken is the stored form of a refresh token: only its SHA-256 hash is kept,
// with the family it belongs to (one family per login; every rotation stays in it).
type RefreshToken struct {
	Hash      []byte
	FamilyID  string
	UserID    string
	CreatedAt time.Time
	ExpiresAt time.Time
	// RotatedAt is set once the token was exchanged; presenting it again is reuse.
	RotatedAt *time.Time
	RevokedAt *time.Time
}

// NewRefreshSecret returns a random 256-bit token for the client and its hash.
func NewRefreshSecret() (secret string, hash []byte, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", nil, err
	}
	secret = base64.RawURLEncoding.EncodeToString(b)
	return secret, HashRefreshSecret(secret), nil
}

// HashRefreshSecret is how a presented token is looked up.
func HashRefreshSecret(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// CheckUsable decides what presenting t at now means.
func (t *RefreshToken) CheckUsable(now time.Time) error {
	switch {
	case t.RevokedAt != nil:
		return ErrRefreshRevoked
	case t.RotatedAt != nil:
		return ErrRefreshReused
	case !now.Before(t.ExpiresAt):
		return ErrRefreshExpired
	}
	return nil
}
