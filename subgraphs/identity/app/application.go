package app

import (
	"errors"
	"fmt"
	"time"

	"github.com/dizhtime/dizhtime/platform/graphqlerr"
	"github.com/dizhtime/dizhtime/subgraphs/identity/domain"
)

// Config tunes tokens and hashing.
type Config struct {
	Issuer     string
	Audience   string
	AccessTTL  time.Duration
	RefreshTTL time.Duration
	// KeyLifetime is how long a signing key signs before a rotation is due.
	KeyLifetime time.Duration
	// KeyPublishAhead is how long before it starts signing the next key is in the JWKS:
	// longer than any verifier caches the JWKS (the router: 5 min), so none ever meets
	// a token signed by a key it has not fetched. 0: half the key lifetime, at most 1 h.
	KeyPublishAhead time.Duration
	Argon2          domain.Argon2Params
	Now             func() time.Time
}

// Application is identity's use cases over its ports.
type Application struct {
	users     Users
	refresh   RefreshTokens
	keys      SigningKeys
	relations Relations
	limiter   LoginLimiter
	cfg       Config
	// dummyHash is verified against when an email is unknown, so that answer takes as
	// long as a wrong password.
	dummyHash string
}

// New returns the application; every dependency is required.
func New(users Users, refresh RefreshTokens, keys SigningKeys, relations Relations, limiter LoginLimiter, cfg Config) (*Application, error) {
	if users == nil || refresh == nil || keys == nil || relations == nil || limiter == nil {
		return nil, errors.New("app: nil dependency")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.AccessTTL <= 0 || cfg.RefreshTTL <= 0 || cfg.KeyLifetime <= 0 || cfg.Issuer == "" {
		return nil, errors.New("app: issuer and positive token TTLs and key lifetime are required")
	}
	if cfg.KeyPublishAhead <= 0 {
		cfg.KeyPublishAhead = min(cfg.KeyLifetime/2, time.Hour)
	}
	if cfg.KeyPublishAhead >= cfg.KeyLifetime {
		return nil, errors.New("app: the key publish-ahead must be shorter than the key lifetime")
	}
	if cfg.Argon2 == (domain.Argon2Params{}) {
		cfg.Argon2 = domain.DefaultArgon2
	}
	dummy, err := domain.HashPassword("dummy password for unknown emails", cfg.Argon2)
	if err != nil {
		return nil, err
	}
	return &Application{users: users, refresh: refresh, keys: keys, relations: relations, limiter: limiter, cfg: cfg, dummyHash: dummy}, nil
}

// clientError maps domain errors to GraphQL errors; anything unknown is internal.
func clientError(err error) error {
	var in *domain.InputError
	var ge *graphqlerr.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ge):
		return err
	case errors.As(err, &in):
		return graphqlerr.BadUserInput(in.Field, in.Message)
	case errors.Is(err, domain.ErrUserNotFound):
		return graphqlerr.NotFound("user not found")
	case errors.Is(err, domain.ErrEmailTaken):
		return graphqlerr.Conflict("an account with this email exists")
	}
	return graphqlerr.Internal(err)
}

func wrapf(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf(format+": %w", append(args, err)...)
}
