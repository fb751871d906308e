package app

import (
	"context"
	"crypto/ed25519"
	"time"

	"github.com/dizhtime/dizhtime/subgraphs/identity/domain"
)

// Users stores accounts.
type Users interface {
	Create(ctx context.Context, u *domain.User) error
	ByID(ctx context.Context, id string) (*domain.User, error)
	ByEmail(ctx context.Context, email string) (*domain.User, error)
	Update(ctx context.Context, id string, update func(u *domain.User) error) (*domain.User, error)
	// ChangeRights applies update under a row lock and a platform-wide lock on admin
	// changes, refuses (domain.ErrLastAdmin) a change that leaves no active ADMIN, and
	// appends the resulting role changes by actorID to the audit in the same transaction.
	ChangeRights(ctx context.Context, id, actorID string, at time.Time, update func(u *domain.User) error) (*domain.User, error)
	// Search lists accounts in email order (one more than s.First when there are more).
	Search(ctx context.Context, s domain.UserSearch) ([]*domain.User, error)
	// RoleChanges lists the audited changes of userID's rights, newest first.
	RoleChanges(ctx context.Context, userID string, limit int) ([]domain.RoleChange, error)
}

// RefreshTokens stores refresh-token hashes.
type RefreshTokens interface {
	Create(ctx context.Context, t domain.RefreshToken) error
	Rotate(ctx context.Context, hash []byte, now time.Time, next func(old domain.RefreshToken) (domain.RefreshToken, error)) error
	RevokeFamily(ctx context.Context, hash []byte, now time.Time) error
	RevokeUser(ctx context.Context, userID string, now time.Time) error
}

// SigningKey is an Ed25519 key that signs access tokens from CreatedAt until RetireAt
// and is published in the JWKS from when it is stored (ahead of CreatedAt for a key made
// by the schedule) until ExpireAt.
type SigningKey struct {
	KID       string
	Private   ed25519.PrivateKey
	Public    ed25519.PublicKey
	CreatedAt time.Time
	RetireAt  time.Time
	ExpireAt  time.Time
}

// SigningKeys stores signing keys.
type SigningKeys interface {
	Add(ctx context.Context, k SigningKey) error
	// AddNext stores k unless a key that starts signing after now is stored already (so
	// replicas on one schedule make one next key); it reports whether k was stored.
	AddNext(ctx context.Context, k SigningKey, now time.Time) (bool, error)
	Active(ctx context.Context, now time.Time) (SigningKey, error)
	Published(ctx context.Context, now time.Time) ([]SigningKey, error)
	RetireOthers(ctx context.Context, keep string, at time.Time) error
}

// Relations stores relation tuples.
type Relations interface {
	Write(ctx context.Context, t domain.Tuple) error
	Delete(ctx context.Context, t domain.Tuple) error
	Exists(ctx context.Context, ts ...domain.Tuple) (bool, error)
	// Subjects lists the subjects holding any of relations on namespace:object.
	Subjects(ctx context.Context, namespace, object string, relations []string) ([]string, error)
}

// LoginLimiter spends login attempts per account and per client address.
type LoginLimiter interface {
	Allow(ctx context.Context, email, ip string) (ok bool, retryAfter time.Duration, err error)
}
