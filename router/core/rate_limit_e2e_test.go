package core_test

import (
	"context"
	"crypto/rand"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/platform/endpoints"
	"github.com/dizhtime/dizhtime/platform/redisdb"
	"github.com/dizhtime/dizhtime/router/pkg/config"
)

// redisAddr is the real Redis the rate limit tests use (deploy/local/services.sh up redis);
// an unreachable one fails the test rather than skipping it.
func redisAddr(t *testing.T) string {
	t.Helper()
	addr := endpoints.Redis()
	c, err := redisdb.Connect(context.Background(), addr)
	if err != nil {
		t.Fatalf("real Redis not reachable (start it with `deploy/local/services.sh up redis`): %v", err)
	}
	_ = c.Close()
	return addr
}

func withRateLimit(addr string, perUser, perIP int) routerOption {
	return func(c *config.Config) {
		c.RateLimit = config.RateLimit{RedisAddr: addr, PerUser: perUser, PerIP: perIP, Burst: 2,
			KeyPrefix: "router-test:" + strings.ToLower(rand.Text()[:10]) + ":"}
	}
}

func TestRateLimit_aCallerOverTheBudgetGets429RateLimitedWithRetryAfter_perUserAndPerIP(t *testing.T) {
	addr := redisAddr(t)
	issuer := newTokenIssuer(t)
	r := startRouter(t, "graphql-transport-ws", withAuth(issuer, false), withRateLimit(addr, 1, 1))
	q := `{ topProducts(first: 1) { name } }`

	// Anonymous: per IP. Burst 2, then refused.
	for i := range 2 {
		if res := r.post(t, q, nil); res.Status != 200 || len(res.Errors) > 0 {
			t.Fatalf("anonymous %d: %s", i, res.Body)
		}
	}
	body, _ := jsonBody(q)
	resp, err := http.Post(r.URL, "application/json", body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Header.Get("Retry-After") == "" {
		t.Error("no Retry-After header")
	}
	res := readResponse(t, resp)
	wantError(t, res, http.StatusTooManyRequests, "RATE_LIMITED")
	if ra, _ := res.Errors[0].Extensions["retryAfter"].(float64); ra < 1 {
		t.Errorf("retryAfter %v", res.Errors[0].Extensions["retryAfter"])
	}

	// A logged-in user from the same address has a budget of their own...
	alice := bearer(issuer.token(t, "alice", time.Minute))
	for i := range 2 {
		if res := r.postWith(t, q, nil, alice); res.Status != 200 || len(res.Errors) > 0 {
			t.Fatalf("alice %d: %s", i, res.Body)
		}
	}
	wantError(t, r.postWith(t, q, nil, alice), http.StatusTooManyRequests, "RATE_LIMITED")
	// ...and so does every other user.
	bob := bearer(issuer.token(t, "bob", time.Minute))
	if res := r.postWith(t, q, nil, bob); res.Status != 200 || len(res.Errors) > 0 {
		t.Fatalf("bob: %s", res.Body)
	}
	// The budget refills at the configured rate.
	time.Sleep(1100 * time.Millisecond)
	if res := r.postWith(t, q, nil, alice); res.Status != 200 || len(res.Errors) > 0 {
		t.Fatalf("alice after a second: %s", res.Body)
	}
}

func TestRateLimit_webSocketOperationsSpendTheSameBudget(t *testing.T) {
	addr := redisAddr(t)
	r := startRouter(t, "graphql-transport-ws", withRateLimit(addr, 1, 1))
	c := dialWS(t, r.URL, "graphql-transport-ws")
	var last wsMessage
	for i := range 3 {
		c.send(map[string]any{"id": string(rune('a' + i)), "type": "subscribe", "payload": map[string]any{"query": `{ topProducts(first: 1) { name } }`}})
		last = c.readSkippingKeepAlive()
		if m := c.readSkippingKeepAlive(); m.Type != "complete" {
			t.Fatalf("want complete, got %+v", m)
		}
	}
	if !strings.Contains(string(last.Payload), `"RATE_LIMITED"`) || !strings.Contains(string(last.Payload), `"retryAfter"`) {
		t.Fatalf("third operation: %s", last.Payload)
	}
}

func TestRateLimit_anUnreachableRedisLetsOperationsThrough(t *testing.T) {
	r := startRouter(t, "graphql-transport-ws", withRateLimit("127.0.0.1:1", 1, 1))
	for i := range 4 {
		if res := r.post(t, `{ topProducts(first: 1) { name } }`, nil); res.Status != 200 || len(res.Errors) > 0 {
			t.Fatalf("request %d: %s", i, res.Body)
		}
	}
}
