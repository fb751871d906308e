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

// EnsureSigningKey creates a signing key when none is active (first start).
func (a *Application) EnsureSigningKey(ctx context.Context) error {
	_, err := a.keys.Active(ctx, a.cfg.Now())
	if errors.Is(err, domain.ErrNoSigningKey) {
		_, err = a.RotateSigningKey(ctx)
	}
	return err
}

// RotateSigningKey makes a new key the signer; older keys stop signing now but stay in
// the JWKS until their tokens have expired.
func (a *Application) RotateSigningKey(ctx context.Context) (string, error) {
	now := a.cfg.Now()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return "", err
	}
	k := SigningKey{
		KID:     "ed25519-" + now.UTC().Format("20060102T150405") + "-" + strings.ToLower(rand.Text()[:8]),
		Private: priv, Public: pub, CreatedAt: now,
		RetireAt: now.Add(a.cfg.KeyLifetime),
		// A token signed just before retirement lives AccessTTL more; a minute of slack
		// covers clock skew and JWKS caches.
		ExpireAt: now.Add(a.cfg.KeyLifetime + a.cfg.AccessTTL + time.Minute),
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

// issue starts a new refresh family for u (login, registration).
func (a *Application) issue(ctx context.Context, u *domain.User) (Tokens, error) {
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
	access, accessExp, err := a.signAccess(ctx, u, now)
	if err != nil {
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
