package app

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"

	"github.com/dizhtime/dizhtime/subgraphs/identity/domain"
)

// Tokens are what a successful login, registration or refresh hands out.
type Tokens struct {
	AccessToken      string
	AccessExpiresAt  time.Time
	RefreshToken     string
	RefreshExpiresAt time.Time
	User             *domain.User
}

// newSigningKey makes a key that signs from `from` for one key lifetime.
func (a *Application) newSigningKey(from time.Time) (SigningKey, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return SigningKey{}, err
	}
	return SigningKey{
		KID:     "ed25519-" + from.UTC().Format("20060102T150405.000") + "-" + strings.ToLower(rand.Text()[:8]),
		Private: priv, Public: pub, CreatedAt: from,
		RetireAt: from.Add(a.cfg.KeyLifetime),
		// A token signed just before retirement lives AccessTTL more; a minute of slack
		// covers clock skew and JWKS caches.
		ExpireAt: from.Add(a.cfg.KeyLifetime + a.cfg.AccessTTL + time.Minute),
	}, nil
}

// RotateSigningKeyOnSchedule keeps a signer ready without anyone's help: when the active
// key is within KeyPublishAhead of retiring it stores the next key, which the JWKS then
// publishes at once but which signs only from the active key's retirement. With no
// active key at all (first start, or identity was down past a retirement) a key that
// signs now is made. Identity runs it on a timer (RunKeyRotation); every replica may.
func (a *Application) RotateSigningKeyOnSchedule(ctx context.Context) error {
	now := a.cfg.Now()
	active, err := a.keys.Active(ctx, now)
	if errors.Is(err, domain.ErrNoSigningKey) {
		k, err := a.newSigningKey(now)
		if err != nil {
			return err
		}
		_, err = a.keys.AddNext(ctx, k, now.Add(-time.Nanosecond))
		return err
	}
	if err != nil {
		return err
	}
	if active.RetireAt.Sub(now) > a.cfg.KeyPublishAhead {
		return nil
	}
	next, err := a.newSigningKey(active.RetireAt)
	if err != nil {
		return err
	}
	_, err = a.keys.AddNext(ctx, next, now)
	return err
}

// RunKeyRotation runs RotateSigningKeyOnSchedule until ctx ends, often enough that the
// next key is always published KeyPublishAhead before it signs.
func (a *Application) RunKeyRotation(ctx context.Context, onError func(error)) error {
	every := min(a.cfg.KeyPublishAhead/4, time.Minute)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if err := a.RotateSigningKeyOnSchedule(ctx); err != nil && ctx.Err() == nil && onError != nil {
			onError(err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// RotateSigningKey makes a new key the signer now (the operator's `identity rotate-key`,
// e.g. after a leak); older keys stop signing now but stay in the JWKS until their tokens
// have expired.
func (a *Application) RotateSigningKey(ctx context.Context) (string, error) {
	now := a.cfg.Now()
	k, err := a.newSigningKey(now)
	if err != nil {
		return "", err
	}
	if err := a.keys.Add(ctx, k); err != nil {
		return "", err
	}
	if err := a.keys.RetireOthers(ctx, k.KID, now); err != nil {
		return "", err
	}
	return k.KID, nil
}

// JWKS returns the public keys as a JSON Web Key Set.
func (a *Application) JWKS(ctx context.Context) ([]byte, error) {
	keys, err := a.keys.Published(ctx, a.cfg.Now())
	if err != nil {
		return nil, err
	}
	set := jwk.NewSet()
	for _, k := range keys {
		pub, err := jwk.Import(k.Public)
		if err != nil {
			return nil, fmt.Errorf("import public key %s: %w", k.KID, err)
		}
		_ = pub.Set(jwk.KeyIDKey, k.KID)
		_ = pub.Set(jwk.AlgorithmKey, jwa.EdDSA())
		_ = pub.Set(jwk.KeyUsageKey, "sig")
		if err := set.AddKey(pub); err != nil {
			return nil, err
		}
	}
	return json.Marshal(set)
}

// AccessClaims are the claims of an access token.
type AccessClaims struct {
	Issuer    string   `json:"iss"`
	Subject   string   `json:"sub"`
	Audience  string   `json:"aud,omitempty"`
	Roles     []string `json:"roles"`
	IssuedAt  int64    `json:"iat"`
	NotBefore int64    `json:"nbf"`
	Expires   int64    `json:"exp"`
	ID        string   `json:"jti"`
}

func (a *Application) signAccess(ctx context.Context, u *domain.User, now time.Time) (string, time.Time, error) {
	k, err := a.keys.Active(ctx, now)
	if errors.Is(err, domain.ErrNoSigningKey) {
		// The schedule fell behind (identity was stopped past a retirement): make the
		// key now rather than fail the sign-in.
		if err = a.RotateSigningKeyOnSchedule(ctx); err == nil {
			k, err = a.keys.Active(ctx, now)
		}
	}
	if err != nil {
		return "", time.Time{}, wrapf(err, "signing key")
	}
	exp := now.Add(a.cfg.AccessTTL)
	roles := make([]string, len(u.Roles))
	for i, r := range u.Roles {
		roles[i] = string(r)
	}
	payload, err := json.Marshal(AccessClaims{
		Issuer: a.cfg.Issuer, Subject: u.ID, Audience: a.cfg.Audience, Roles: roles,
		IssuedAt: now.Unix(), NotBefore: now.Unix(), Expires: exp.Unix(), ID: rand.Text(),
	})
	if err != nil {
		return "", time.Time{}, err
	}
	key, err := jwk.Import(k.Private)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("import signing key %s: %w", k.KID, err)
	}
	_ = key.Set(jwk.KeyIDKey, k.KID)
	hdr := jws.NewHeaders()
	_ = hdr.Set(jws.TypeKey, "JWT")
	tok, err := jws.Sign(payload, jws.WithKey(jwa.EdDSA(), key, jws.WithProtectedHeaders(hdr)))
	if err != nil {
		return "", time.Time{}, fmt.Errorf("sign access token: %w", err)
	}
	return string(tok), exp, nil
}

// issue starts a new refresh family for u (login).
func (a *Application) issue(ctx context.Context, u *domain.User) (Tokens, error) {
	access, accessExp, err := a.signAccess(ctx, u, a.cfg.Now())
	if err != nil {
		return Tokens{}, err
	}
	return a.issueSigned(ctx, u, access, accessExp)
}

// issueSigned starts a new refresh family for u beside an access token already signed.
func (a *Application) issueSigned(ctx context.Context, u *domain.User, access string, accessExp time.Time) (Tokens, error) {
	now := a.cfg.Now()
	secret, hash, err := domain.NewRefreshSecret()
	if err != nil {
		return Tokens{}, err
	}
	family, err := newUUID()
	if err != nil {
		return Tokens{}, err
	}
	rt := domain.RefreshToken{Hash: hash, FamilyID: family, UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(a.cfg.RefreshTTL)}
	if err := a.refresh.Create(ctx, rt); err != nil {
		return Tokens{}, err
	}
	return Tokens{AccessToken: access, AccessExpiresAt: accessExp, RefreshToken: secret, RefreshExpiresAt: rt.ExpiresAt, User: u}, nil
}

func newUUID() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:]), nil
}
