package authn_test

import (
	"context"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"

	"github.com/dizhtime/dizhtime/router/pkg/authn"
)

const issuer = "https://identity.dizhtime.test"

// signer is a private key with its kid, and the algorithm it signs with.
type signer struct {
	alg jwa.SignatureAlgorithm
	key jwk.Key
}

func newEd25519(t testing.TB, kid string) signer {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return wrap(t, priv, kid, jwa.EdDSA())
}

func newRSA(t testing.TB, kid string) signer {
	t.Helper()
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return wrap(t, priv, kid, jwa.RS256())
}

func wrap(t testing.TB, raw any, kid string, alg jwa.SignatureAlgorithm) signer {
	t.Helper()
	key, err := jwk.Import(raw)
	if err != nil {
		t.Fatal(err)
	}
	_ = key.Set(jwk.KeyIDKey, kid)
	return signer{alg: alg, key: key}
}

func (s signer) public(t testing.TB) jwk.Key {
	t.Helper()
	pub, err := s.key.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	return pub
}

func (s signer) sign(t testing.TB, claims map[string]any) string {
	t.Helper()
	payload, _ := json.Marshal(claims)
	tok, err := jws.Sign(payload, jws.WithKey(s.alg, s.key))
	if err != nil {
		t.Fatal(err)
	}
	return string(tok)
}

// jwksServer serves the public keys it holds and counts fetches.
type jwksServer struct {
	*httptest.Server
	mu   sync.Mutex
	keys []jwk.Key
	hits int
}

func newJWKSServer(t testing.TB, keys ...jwk.Key) *jwksServer {
	s := &jwksServer{keys: keys}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.hits++
		set := jwk.NewSet()
		for _, k := range s.keys {
			_ = set.AddKey(k)
		}
		_ = json.NewEncoder(w).Encode(set)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *jwksServer) add(k jwk.Key) {
	s.mu.Lock()
	s.keys = append(s.keys, k)
	s.mu.Unlock()
}

func validClaims() map[string]any {
	now := time.Now()
	return map[string]any{
		"sub": "7", "roles": []string{"CUSTOMER", "ADMIN"}, "iss": issuer, "aud": "dizhtime",
		"iat": now.Unix(), "nbf": now.Add(-time.Second).Unix(), "exp": now.Add(5 * time.Minute).Unix(),
	}
}

func with(c map[string]any, k string, v any) map[string]any {
	c[k] = v
	return c
}

func without(c map[string]any, k string) map[string]any {
	delete(c, k)
	return c
}

func b64(v any) string {
	b, _ := json.Marshal(v)
	return base64.RawURLEncoding.EncodeToString(b)
}

func TestVerify_acceptsEdDSAAndRS256TokensFromTheJWKS(t *testing.T) {
	ed, rs := newEd25519(t, "ed-1"), newRSA(t, "rs-1")
	srv := newJWKSServer(t, ed.public(t), rs.public(t))
	v := authn.NewVerifier(authn.NewKeySet(srv.URL), authn.Config{Issuer: issuer, Audience: "dizhtime"})
	for _, s := range []signer{ed, rs} {
		id, err := v.Verify(context.Background(), s.sign(t, validClaims()))
		if err != nil {
			t.Fatalf("%s: %v", s.alg, err)
		}
		if id.UserID != "7" || len(id.Roles) != 2 || id.Roles[1] != "ADMIN" {
			t.Errorf("%s: identity %+v", s.alg, id)
		}
	}
}

func TestVerify_refusesEachBadTokenWithItsOwnError(t *testing.T) {
	good := newEd25519(t, "ed-1")
	srv := newJWKSServer(t, good.public(t))
	v := authn.NewVerifier(authn.NewKeySet(srv.URL), authn.Config{Issuer: issuer, Audience: "dizhtime"})

	attacker := newEd25519(t, "ed-1") // same kid, different key
	stranger := newEd25519(t, "ed-unknown")
	rsaWithEdKid := newRSA(t, "ed-1")
	pubJSON, _ := json.Marshal(good.public(t))
	mac := hmac.New(sha256.New, pubJSON) // the classic "public key as HMAC secret" trick
	hsInput := b64(map[string]string{"alg": "HS256", "kid": "ed-1"}) + "." + b64(validClaims())
	mac.Write([]byte(hsInput))
	hsToken := hsInput + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))

	cases := []struct {
		name  string
		token string
		want  error
	}{
		{"empty", "", authn.ErrMalformed},
		{"not a jwt", "hello", authn.ErrMalformed},
		{"garbage header", "!!!.e30.sig", authn.ErrMalformed},
		{"header not json", base64.RawURLEncoding.EncodeToString([]byte("x")) + ".e30.sig", authn.ErrMalformed},
		{"sql-looking", "' OR 1=1 --", authn.ErrMalformed},
		{"alg none", b64(map[string]string{"alg": "none", "kid": "ed-1"}) + "." + b64(validClaims()) + ".", authn.ErrAlgNone},
		{"alg None", b64(map[string]string{"alg": "None"}) + "." + b64(validClaims()) + ".", authn.ErrAlgNone},
		{"HS256 with the public key as secret", hsToken, authn.ErrAlgNotAllowed},
		{"ES256", b64(map[string]string{"alg": "ES256", "kid": "ed-1"}) + "." + b64(validClaims()) + ".c2ln", authn.ErrAlgNotAllowed},
		{"signed by another key with a known kid", attacker.sign(t, validClaims()), authn.ErrBadSignature},
		{"RS256 naming an Ed25519 key", rsaWithEdKid.sign(t, validClaims()), authn.ErrBadSignature},
		{"unknown kid", stranger.sign(t, validClaims()), authn.ErrUnknownKey},
		{"tampered payload", func() string {
			tok := good.sign(t, validClaims())
			p := splitToken(tok)
			return p[0] + "." + b64(with(validClaims(), "roles", []string{"ADMIN"})) + "." + p[2]
		}(), authn.ErrBadSignature},
		{"expired", good.sign(t, with(validClaims(), "exp", time.Now().Add(-time.Minute).Unix())), authn.ErrExpired},
		{"not yet valid", good.sign(t, with(validClaims(), "nbf", time.Now().Add(time.Hour).Unix())), authn.ErrNotYetValid},
		{"wrong issuer", good.sign(t, with(validClaims(), "iss", "https://evil.test")), authn.ErrWrongIssuer},
		{"wrong audience", good.sign(t, with(validClaims(), "aud", []string{"other"})), authn.ErrWrongAudience},
		{"no exp", good.sign(t, without(validClaims(), "exp")), authn.ErrMissingClaim},
		{"no sub", good.sign(t, without(validClaims(), "sub")), authn.ErrMissingClaim},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := v.Verify(context.Background(), c.token)
			if !errors.Is(err, c.want) {
				t.Errorf("got %v, want %v", err, c.want)
			}
		})
	}
}

func splitToken(tok string) [3]string {
	var p [3]string
	i := 0
	start := 0
	for j := 0; j < len(tok); j++ {
		if tok[j] == '.' {
			p[i] = tok[start:j]
			i++
			start = j + 1
		}
	}
	p[2] = tok[start:]
	return p
}

func TestKeySet_refetchesOnAnUnknownKidButAtMostOncePerInterval(t *testing.T) {
	first := newEd25519(t, "k1")
	srv := newJWKSServer(t, first.public(t))
	now := time.Unix(10_000, 0)
	keys := authn.NewKeySet(srv.URL, authn.WithMinRefreshInterval(10*time.Second),
		authn.WithKeySetClock(func() time.Time { return now }))
	v := authn.NewVerifier(keys, authn.Config{})

	if _, err := v.Verify(context.Background(), first.sign(t, validClaims())); err != nil {
		t.Fatal(err)
	}
	for range 5 {
		if _, err := v.Verify(context.Background(), first.sign(t, validClaims())); err != nil {
			t.Fatal(err)
		}
	}
	if keys.Fetches() != 1 {
		t.Fatalf("%d fetches for a known key, want 1", keys.Fetches())
	}

	// The identity service rotates: a token signed by the new key arrives first.
	rotated := newEd25519(t, "k2")
	srv.add(rotated.public(t))
	now = now.Add(11 * time.Second)
	if _, err := v.Verify(context.Background(), rotated.sign(t, validClaims())); err != nil {
		t.Fatalf("token of the rotated key: %v", err)
	}
	if keys.Fetches() != 2 {
		t.Fatalf("%d fetches after rotation, want 2", keys.Fetches())
	}

	// A flood of made-up kids refetches no more than once per interval.
	for range 20 {
		_, err := v.Verify(context.Background(), newEd25519(t, "made-up").sign(t, validClaims()))
		if !errors.Is(err, authn.ErrUnknownKey) {
			t.Fatalf("made-up kid: %v", err)
		}
	}
	if keys.Fetches() != 2 {
		t.Errorf("%d fetches within the interval, want 2", keys.Fetches())
	}
	now = now.Add(11 * time.Second)
	_, _ = v.Verify(context.Background(), newEd25519(t, "made-up").sign(t, validClaims()))
	if keys.Fetches() != 3 {
		t.Errorf("%d fetches after the interval, want 3", keys.Fetches())
	}
}

func TestKeySet_reportsAnUnreachableJWKS(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close()
	v := authn.NewVerifier(authn.NewKeySet(srv.URL), authn.Config{})
	_, err := v.Verify(context.Background(), newEd25519(t, "k").sign(t, validClaims()))
	if !errors.Is(err, authn.ErrJWKSUnavailable) {
		t.Errorf("got %v", err)
	}
}

func TestStripIdentityHeaders_removesEveryForwardedIdentityHeaderAClientSent(t *testing.T) {
	h := http.Header{}
	h.Set("X-DizhTime-User-Id", "1")
	h["x-dizhtime-roles"] = []string{"ADMIN"} // non-canonical spelling too
	h.Set("X-Dizhtime-Anything", "x")
	h.Set("Authorization", "Bearer t")
	authn.StripIdentityHeaders(h)
	if len(h) != 1 || h.Get("Authorization") == "" {
		t.Errorf("left %v", h)
	}
	authn.SetIdentityHeaders(h, authn.Identity{UserID: "7", Roles: []string{"CUSTOMER", "DRIVER"}})
	if h.Get(authn.HeaderUserID) != "7" || h.Get(authn.HeaderRoles) != "CUSTOMER,DRIVER" {
		t.Errorf("set %v", h)
	}
}

func TestTokenFromInitPayload_readsTheCommonSpellings(t *testing.T) {
	for _, p := range []map[string]any{
		{"Authorization": "Bearer abc"}, {"authorization": "bearer abc"}, {"authToken": "abc"}, {"token": " abc "},
		{"headers": map[string]any{"Authorization": "Bearer abc"}}, {"headers": map[string]any{"authorization": "Bearer abc"}},
	} {
		if tok, ok := authn.TokenFromInitPayload(p); !ok || tok != "abc" {
			t.Errorf("%v: %q %v", p, tok, ok)
		}
	}
	if _, ok := authn.TokenFromInitPayload(map[string]any{"Authorization": "Basic abc"}); ok {
		t.Error("accepted Basic")
	}
}

func BenchmarkVerify(b *testing.B) {
	for _, mk := range []func(testing.TB, string) signer{newEd25519, newRSA} {
		s := mk(b, "k")
		srv := newJWKSServer(b, s.public(b))
		v := authn.NewVerifier(authn.NewKeySet(srv.URL), authn.Config{Issuer: issuer, Audience: "dizhtime"})
		tok := s.sign(b, validClaims())
		b.Run(s.alg.String(), func(b *testing.B) {
			for b.Loop() {
				if _, err := v.Verify(context.Background(), tok); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
