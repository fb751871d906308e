package service_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"

	"testing"
	"time"

	"github.com/dizhtime/dizhtime/platform/authz"
)

// issuer stands in for identity's token signing: an Ed25519 key served as a JWKS the
// router verifies against, and EdDSA access tokens carrying sub and roles.
type issuer struct {
	key     ed25519.PrivateKey
	jwksURL string
}

const (
	tokenIssuer   = "https://identity.dizhtime.test"
	tokenAudience = "dizhtime"
)

func newIssuer(t testing.TB) *issuer {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	jwks, _ := json.Marshal(map[string]any{"keys": []any{map[string]any{"kty": "OKP", "crv": "Ed25519",
		"x": base64.RawURLEncoding.EncodeToString(pub), "kid": "test-key", "alg": "EdDSA", "use": "sig"}}})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(jwks)
	}))
	t.Cleanup(srv.Close)
	return &issuer{key: priv, jwksURL: srv.URL}
}

func (i *issuer) routerYAML() string {
	return fmt.Sprintf("auth: {jwks_url: %q, issuer: %q, audience: %q}\n", i.jwksURL, tokenIssuer, tokenAudience)
}

func (i *issuer) token(id authz.Identity) string {
	roles := make([]string, len(id.Roles))
	for k, r := range id.Roles {
		roles[k] = string(r)
	}
	enc := func(v any) string { b, _ := json.Marshal(v); return base64.RawURLEncoding.EncodeToString(b) }
	signing := enc(map[string]any{"alg": "EdDSA", "kid": "test-key", "typ": "JWT"}) + "." +
		enc(map[string]any{"sub": id.UserID, "roles": roles, "iss": tokenIssuer, "aud": tokenAudience,
			"exp": time.Now().Add(time.Hour).Unix()})
	return signing + "." + base64.RawURLEncoding.EncodeToString(ed25519.Sign(i.key, []byte(signing)))
}

func (i *issuer) headers(id authz.Identity) http.Header {
	return http.Header{"Authorization": []string{"Bearer " + i.token(id)}}
}
