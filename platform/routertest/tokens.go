package routertest

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// Issuer mints access tokens the router accepts, for subgraph end-to-end tests that do
// not run the identity service: it serves its public key as a JWKS and signs EdDSA
// tokens carrying sub and roles, as identity does.
//
//	iss := routertest.NewIssuer(t)
//	r := routertest.Start(t, subgraphs, routertest.Options{RouterYAML: iss.RouterYAML()})
//	r.Do(t, query, vars, routertest.Bearer(iss.Token(t, "7", "CUSTOMER")))
type Issuer struct {
	priv ed25519.PrivateKey
	srv  *httptest.Server
	// Name and Audience are the iss and aud of the tokens.
	Name, Audience string
}

const issuerKeyID = "routertest-1"

// NewIssuer starts an issuer; it stops when t ends.
func NewIssuer(t testing.TB) *Issuer {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	jwks, _ := json.Marshal(map[string]any{"keys": []map[string]string{{
		"kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "use": "sig", "kid": issuerKeyID,
		"x": base64.RawURLEncoding.EncodeToString(pub),
	}}})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(jwks)
	}))
	t.Cleanup(srv.Close)
	return &Issuer{priv: priv, srv: srv, Name: "https://identity.routertest", Audience: "dizhtime"}
}

// RouterYAML is the router.yaml auth block trusting this issuer.
func (i *Issuer) RouterYAML() string { return AuthYAML(i.srv.URL, i.Name, i.Audience) }

// Token signs a token for user with roles, valid for 15 minutes.
func (i *Issuer) Token(t testing.TB, user string, roles ...string) string {
	return i.TokenValidFor(t, 15*time.Minute, user, roles...)
}

// TokenValidFor signs a token valid for ttl (negative: already expired).
func (i *Issuer) TokenValidFor(t testing.TB, ttl time.Duration, user string, roles ...string) string {
	t.Helper()
	if roles == nil {
		roles = []string{}
	}
	now := time.Now()
	header, _ := json.Marshal(map[string]string{"alg": "EdDSA", "typ": "JWT", "kid": issuerKeyID})
	claims, err := json.Marshal(map[string]any{
		"sub": user, "roles": roles, "iss": i.Name, "aud": i.Audience,
		"iat": now.Unix(), "exp": now.Add(ttl).Unix(),
	})
	if err != nil {
		t.Fatal(err)
	}
	input := base64.RawURLEncoding.EncodeToString(header) + "." + base64.RawURLEncoding.EncodeToString(claims)
	return input + "." + base64.RawURLEncoding.EncodeToString(ed25519.Sign(i.priv, []byte(input)))
}
