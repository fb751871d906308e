package service_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/dizhtime/dizhtime/platform/routertest"
	"github.com/dizhtime/dizhtime/subgraphs/identity/service"
)

// Behind a proxy the router trusts, each client's address (from X-Forwarded-For) reaches
// identity signed in the router's token, so the per-address login limit counts clients,
// not the proxy; an address the router does not trust cannot name one.
func TestThroughTheRouter_loginLimitsCountEachClientAddressNotTheRouters(t *testing.T) {
	const perIP = 4
	_, r := startWithRouter(t, func(c *service.Config) {
		c.LoginPerIPPerMinute, c.LoginPerAccountPerMinute = perIP, 100
	}, routertest.Options{Env: []string{"DIZHTIME_ROUTER_AUTH_TRUSTED_PROXIES=127.0.0.1/32,::1/128"}})
	from := func(ip string) http.Header {
		h := http.Header{}
		if ip != "" {
			h.Set("X-Forwarded-For", ip)
		}
		return h
	}
	login := func(email, ip string) *routertest.Response {
		return r.Do(t, loginMutation, map[string]any{"e": email, "p": "correct horse battery"}, from(ip))
	}
	var emails []string
	for i := range 6 {
		email := uniqueEmail()
		register(t, func(q string, v map[string]any) *routertest.Response {
			return r.Do(t, q, v, from(fmt.Sprintf("192.0.2.%d", 100+i)))
		}, email, "correct horse battery")
		emails = append(emails, email)
	}
	// Six users from six addresses, each signing in up to the per-address budget: 24
	// sign-ins through one router, none throttled.
	for i, email := range emails {
		for n := range perIP - 1 { // their registration spent no login budget; keep one spare
			if resp := login(email, fmt.Sprintf("203.0.113.%d", 10+i)); len(resp.Errors) > 0 {
				t.Fatalf("user %d sign-in %d from its own address: %+v", i, n, resp.Errors)
			}
		}
	}
	// One address hammering, whatever the account: throttled after the budget.
	throttled := false
	for n := range perIP + 2 {
		resp := login(emails[n%len(emails)], "198.51.100.7")
		if resp.HasCode("RATE_LIMITED") {
			throttled = true
			if n < perIP {
				t.Fatalf("throttled after %d sign-ins, budget %d", n, perIP)
			}
			break
		}
		if len(resp.Errors) > 0 {
			t.Fatalf("sign-in %d: %+v", n, resp.Errors)
		}
	}
	if !throttled {
		t.Fatalf("%d sign-ins from one address were not throttled (budget %d)", perIP+2, perIP)
	}
	// Another address is unaffected by that one's spent budget.
	if resp := login(emails[0], "203.0.113.200"); len(resp.Errors) > 0 {
		t.Fatalf("a fresh address was throttled: %+v", resp.Errors)
	}
}
