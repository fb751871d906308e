package core_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"

	"github.com/dizhtime/dizhtime/router/pkg/config"
)

const testIssuer = "https://identity.dizhtime.test"

// tokenIssuer signs access tokens and serves its public key as a JWKS.
type tokenIssuer struct {
	key     jwk.Key
	JWKSURL string
}

func newTokenIssuer(t *testing.T) *tokenIssuer {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	key, err := jwk.Import(priv)
	if err != nil {
		t.Fatal(err)
	}
	_ = key.Set(jwk.KeyIDKey, "test-1")
	pub, _ := key.PublicKey()
	set := jwk.NewSet()
	_ = set.AddKey(pub)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_ = json.NewEncoder(w).Encode(set)
	}))
	t.Cleanup(srv.Close)
	return &tokenIssuer{key: key, JWKSURL: srv.URL + "/.well-known/jwks.json"}
}

// token signs a token for user with roles, valid for ttl (negative: already expired).
func (i *tokenIssuer) token(t *testing.T, user string, ttl time.Duration, roles ...string) string {
	t.Helper()
	now := time.Now()
	claims, _ := json.Marshal(map[string]any{
		"sub": user, "roles": roles, "iss": testIssuer, "aud": "dizhtime",
		"iat": now.Unix(), "exp": now.Add(ttl).Unix(),
	})
	tok, err := jws.Sign(claims, jws.WithKey(jwa.EdDSA(), i.key))
	if err != nil {
		t.Fatal(err)
	}
	return string(tok)
}

func withAuth(issuer *tokenIssuer, required bool) routerOption {
	return func(c *config.Config) {
		c.Auth = config.Auth{JWKSURL: issuer.JWKSURL, Issuer: testIssuer, Audience: "dizhtime", Required: required}
	}
}

func (r *testRouter) postWith(t *testing.T, query string, variables map[string]any, header http.Header) gqlResponse {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": variables})
	req, _ := http.NewRequest(http.MethodPost, r.URL, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, vs := range header {
		req.Header[k] = vs
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return readResponse(t, resp)
}

func bearer(tok string) http.Header { return http.Header{"Authorization": {"Bearer " + tok}} }

func wantError(t *testing.T, res gqlResponse, status int, code string) {
	t.Helper()
	if res.Status != status || len(res.Errors) == 0 || res.Errors[0].Extensions["code"] != code {
		t.Fatalf("want HTTP %d and %s, got %d: %s", status, code, res.Status, res.Body)
	}
}

const entityChain = `{ topProducts(first: 1) { name reviews { author { name } } } }`

func TestAuth_aVerifiedTokenReachesEverySubgraphFetchAsIdentityHeaders_andForgedOnesAreDropped(t *testing.T) {
	issuer := newTokenIssuer(t)
	r := startRouter(t, "graphql-transport-ws", withAuth(issuer, false))

	h := bearer(issuer.token(t, "7", time.Minute, "CUSTOMER", "DRIVER"))
	h.Set("X-DizhTime-User-Id", "1")
	h.Set("X-DizhTime-Roles", "ADMIN")
	res := r.postWith(t, entityChain, nil, h)
	if len(res.Errors) > 0 {
		t.Fatalf("errors: %s", res.Body)
	}
	// accounts is reached only through an entity fetch (author).
	got := r.Subgraphs.AccountsHeaders.Last()
	if got.Get("X-DizhTime-User-Id") != "7" || got.Get("X-DizhTime-Roles") != "CUSTOMER,DRIVER" {
		t.Fatalf("accounts saw identity %q %q", got.Get("X-DizhTime-User-Id"), got.Get("X-DizhTime-Roles"))
	}

	// Anonymous caller with forged headers: nothing reaches the subgraph.
	forged := http.Header{"X-Dizhtime-User-Id": {"1"}, "X-Dizhtime-Roles": {"ADMIN"}}
	if res := r.postWith(t, entityChain, nil, forged); len(res.Errors) > 0 {
		t.Fatalf("errors: %s", res.Body)
	}
	got = r.Subgraphs.AccountsHeaders.Last()
	if got.Get("X-DizhTime-User-Id") != "" || got.Get("X-DizhTime-Roles") != "" {
		t.Fatalf("forged identity reached accounts: %v", got)
	}
}

func TestAuth_identityHeadersAClientSendsAreStrippedEvenWithAuthOff(t *testing.T) {
	r := startRouter(t, "graphql-transport-ws")
	forged := http.Header{"X-Dizhtime-User-Id": {"1"}, "X-Dizhtime-Roles": {"ADMIN"}, "X-Dizhtime-Anything": {"x"}}
	if res := r.postWith(t, entityChain, nil, forged); len(res.Errors) > 0 {
		t.Fatalf("errors: %s", res.Body)
	}
	for k := range r.Subgraphs.AccountsHeaders.Last() {
		if strings.HasPrefix(strings.ToLower(k), "x-dizhtime-") {
			t.Fatalf("%s reached accounts", k)
		}
	}
}

func TestAuth_badTokensAreRefusedWith401AndUnauthenticated(t *testing.T) {
	issuer := newTokenIssuer(t)
	other := newTokenIssuer(t) // same kid, another key
	r := startRouter(t, "graphql-transport-ws", withAuth(issuer, false))
	good := issuer.token(t, "7", time.Minute, "CUSTOMER")
	parts := strings.Split(good, ".")
	cases := map[string]string{
		"expired":   issuer.token(t, "7", -time.Minute, "CUSTOMER"),
		"wrong key": other.token(t, "7", time.Minute, "CUSTOMER"),
		"alg none":  "eyJhbGciOiJub25lIiwia2lkIjoidGVzdC0xIn0." + parts[1] + ".",
		"malformed": "not-a-token",
		"tampered":  parts[0] + "." + parts[1] + "x." + parts[2],
	}
	for name, tok := range cases {
		t.Run(name, func(t *testing.T) {
			res := r.postWith(t, `{ topProducts(first: 1) { name } }`, nil, bearer(tok))
			wantError(t, res, http.StatusUnauthorized, "UNAUTHENTICATED")
			if string(res.Data) != "" && string(res.Data) != "null" {
				t.Errorf("data with a refused token: %s", res.Data)
			}
		})
	}
	// Anonymous access stays open unless auth.required.
	if res := r.post(t, `{ topProducts(first: 1) { name } }`, nil); len(res.Errors) > 0 {
		t.Fatalf("anonymous: %s", res.Body)
	}
}

func TestAuth_requiredAuthRefusesAnonymousCallers(t *testing.T) {
	issuer := newTokenIssuer(t)
	r := startRouter(t, "graphql-transport-ws", withAuth(issuer, true))
	wantError(t, r.post(t, `{ topProducts(first: 1) { name } }`, nil), http.StatusUnauthorized, "UNAUTHENTICATED")
	if res := r.postWith(t, `{ topProducts(first: 1) { name } }`, nil, bearer(issuer.token(t, "7", time.Minute))); len(res.Errors) > 0 {
		t.Fatalf("with a token: %s", res.Body)
	}
}

// dialWSWithInit opens a graphql-transport-ws connection and sends connection_init.
func dialWSWithInit(t *testing.T, httpURL string, payload map[string]any) *wsClient {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(httpURL, "http"), &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.CloseNow() })
	c := &wsClient{t: t, conn: conn}
	c.send(map[string]any{"type": "connection_init", "payload": payload})
	return c
}

func TestAuth_aWebSocketTokenInConnectionInitIsVerifiedAndForwardedToTheUpstreamSubscription(t *testing.T) {
	issuer := newTokenIssuer(t)
	r := startRouter(t, "graphql-transport-ws", withAuth(issuer, true))
	n := 0
	for _, payload := range []map[string]any{
		{"Authorization": "Bearer " + issuer.token(t, "7", time.Minute, "CUSTOMER")},
		{"authorization": "Bearer " + issuer.token(t, "7", time.Minute, "CUSTOMER")},
		{"headers": map[string]any{"Authorization": "Bearer " + issuer.token(t, "7", time.Minute, "CUSTOMER")}},
	} {
		n++ // a distinct subscription each time: the last one may still be tearing down
		c := dialWSWithInit(t, r.URL, payload)
		if m := c.readSkippingKeepAlive(); m.Type != "connection_ack" {
			t.Fatalf("want connection_ack, got %+v", m)
		}
		c.send(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{
			"query":     `subscription($n: Int!) { reviewAdded(upc: "top-1", count: $n, intervalMs: 1) { body author { name } } }`,
			"variables": map[string]any{"n": n},
		}})
		if m := c.readSkippingKeepAlive(); m.Type != "next" || strings.Contains(string(m.Payload), "errors") {
			t.Fatalf("want next, got %+v %s", m, m.Payload)
		}
		up := r.Subgraphs.ReviewsHeaders.Last()
		if up.Get("X-DizhTime-User-Id") != "7" || up.Get("X-DizhTime-Roles") != "CUSTOMER" {
			t.Fatalf("upstream subscription saw identity %q %q", up.Get("X-DizhTime-User-Id"), up.Get("X-DizhTime-Roles"))
		}
		acc := r.Subgraphs.AccountsHeaders.Last()
		if acc.Get("X-DizhTime-User-Id") != "7" {
			t.Fatalf("the event's entity fetch saw identity %q", acc.Get("X-DizhTime-User-Id"))
		}
	}
}

func TestAuth_aBadWebSocketTokenClosesTheConnectionWith4403(t *testing.T) {
	issuer := newTokenIssuer(t)
	r := startRouter(t, "graphql-transport-ws", withAuth(issuer, false))
	c := dialWSWithInit(t, r.URL, map[string]any{"Authorization": "Bearer " + issuer.token(t, "7", -time.Minute)})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, _, err := c.conn.Read(ctx)
	if websocket.CloseStatus(err) != 4403 {
		t.Fatalf("want close 4403, got %v", err)
	}
}

func TestAuth_aWebSocketWithoutATokenIsRefusedPerOperationWhenAuthIsRequired(t *testing.T) {
	issuer := newTokenIssuer(t)
	r := startRouter(t, "graphql-transport-ws", withAuth(issuer, true))
	c := dialWS(t, r.URL, "graphql-transport-ws")
	c.send(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{
		"query": `subscription { reviewAdded(upc: "top-1", count: 1) { body } }`,
	}})
	m := c.readSkippingKeepAlive()
	if m.Type != "next" || !strings.Contains(string(m.Payload), `"UNAUTHENTICATED"`) {
		t.Fatalf("want an UNAUTHENTICATED result, got %+v %s", m, m.Payload)
	}
}

func TestAuth_aSubscriptionEndsWithUnauthenticatedWhenItsTokenExpires(t *testing.T) {
	issuer := newTokenIssuer(t)
	r := startRouter(t, "graphql-transport-ws", withAuth(issuer, false))
	// exp has one-second resolution and the router allows 5 s of clock skew.
	c := dialWSWithInit(t, r.URL, map[string]any{"Authorization": "Bearer " + issuer.token(t, "7", -4*time.Second)})
	if m := c.readSkippingKeepAlive(); m.Type != "connection_ack" {
		t.Fatalf("want connection_ack, got %+v", m)
	}
	c.send(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{
		"query": `subscription { reviewAdded(upc: "top-1", count: 1000, intervalMs: 200) { body } }`,
	}})
	deadline := time.Now().Add(8 * time.Second)
	for time.Now().Before(deadline) {
		m := c.readSkippingKeepAlive()
		if m.Type == "next" && strings.Contains(string(m.Payload), `"UNAUTHENTICATED"`) {
			if m := c.readSkippingKeepAlive(); m.Type != "complete" {
				t.Fatalf("want complete after the expiry, got %+v", m)
			}
			return
		}
		if m.Type != "next" {
			t.Fatalf("unexpected %+v %s", m, m.Payload)
		}
	}
	t.Fatal("the subscription outlived its token")
}

func TestAuth_twoUsersOnTheSameSubscriptionDoNotShareAnUpstreamConnection(t *testing.T) {
	issuer := newTokenIssuer(t)
	r := startRouter(t, "graphql-transport-ws", withAuth(issuer, false))
	q := map[string]any{"query": `subscription { reviewAdded(upc: "top-1", count: 3, intervalMs: 300) { body } }`}
	a := dialWSWithInit(t, r.URL, map[string]any{"Authorization": "Bearer " + issuer.token(t, "1", time.Minute, "CUSTOMER")})
	a.readSkippingKeepAlive()
	a.send(map[string]any{"id": "1", "type": "subscribe", "payload": q})
	a.readSkippingKeepAlive()
	b := dialWSWithInit(t, r.URL, map[string]any{"Authorization": "Bearer " + issuer.token(t, "2", time.Minute, "CUSTOMER")})
	b.readSkippingKeepAlive()
	b.send(map[string]any{"id": "1", "type": "subscribe", "payload": q})
	b.readSkippingKeepAlive()
	if up := r.Subgraphs.ReviewsHeaders.Last(); up.Get("X-DizhTime-User-Id") != "2" {
		t.Fatalf("user 2's subscription rode on user %q's upstream connection", up.Get("X-DizhTime-User-Id"))
	}
}

func TestConfig_refusesPropagatingIdentityHeaders(t *testing.T) {
	cfg := config.Default()
	cfg.Headers.Propagate = []string{"Authorization", "x-dizhtime-user-id"}
	err := cfg.Validate()
	if err == nil || !strings.Contains(err.Error(), "headers.propagate") || !strings.Contains(err.Error(), "auth.jwks_url") {
		t.Fatalf("got %v", err)
	}
}
