package core_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/platform/routertest"
	"github.com/dizhtime/dizhtime/router/pkg/config"
)

// Subgraph teams use routertest.Issuer instead of propagating X-DizhTime-* headers.
func TestRoutertestIssuer_tokensItMintsAreAcceptedAndForwardedAsIdentity(t *testing.T) {
	iss := routertest.NewIssuer(t)
	yaml := iss.RouterYAML() // auth: {jwks_url: "...", issuer: "...", audience: "..."}
	jwks := yaml[strings.Index(yaml, `"`)+1:]
	jwks = jwks[:strings.Index(jwks, `"`)]
	r := startRouter(t, "graphql-transport-ws", func(c *config.Config) {
		c.Auth = config.Auth{JWKSURL: jwks, Issuer: iss.Name, Audience: iss.Audience}
	})
	res := r.postWith(t, entityChain, nil, routertest.Bearer(iss.Token(t, "42", "RESTAURANT_STAFF")))
	if res.Status != http.StatusOK || len(res.Errors) > 0 {
		t.Fatalf("%d: %s", res.Status, res.Body)
	}
	if got := r.Subgraphs.AccountsHeaders.Last(); got.Get("X-DizhTime-User-Id") != "42" || got.Get("X-DizhTime-Roles") != "RESTAURANT_STAFF" {
		t.Fatalf("accounts saw %v", got)
	}
	wantError(t, r.postWith(t, entityChain, nil, routertest.Bearer(iss.TokenValidFor(t, -time.Minute, "42"))), http.StatusUnauthorized, "UNAUTHENTICATED")
}
