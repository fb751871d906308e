package service_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"github.com/jackc/pgx/v5/pgxpool"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/platform/authz"
	"github.com/dizhtime/dizhtime/platform/endpoints"
	"github.com/dizhtime/dizhtime/platform/redisdb"
	"github.com/dizhtime/dizhtime/platform/routertest"
	identitysvc "github.com/dizhtime/dizhtime/subgraphs/identity/service"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/internal/testdb"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/service"
)

// wallet is one wallet service on a loopback port against the real PostgreSQL (a schema
// of its own), with the sandbox gateway posting webhooks back to it.
type wallet struct {
	svc  *service.Service
	url  string // GraphQL endpoint
	pool *pgxpool.Pool
}

func startWallet(t testing.TB, mod func(*service.Config)) *wallet {
	t.Helper()
	_, pool := testdb.Schema(t, 8)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg := service.Defaults()
	cfg.PublicURL = "http://" + ln.Addr().String()
	if mod != nil {
		mod(&cfg)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	svc, err := service.New(ctx, cfg, pool, slog.New(slog.NewTextHandler(os.Stderr, nil)))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(svc.Handler)
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(func() { svc.Gateway.Wait(); srv.Close() })
	return &wallet{svc: svc, url: srv.URL + "/query", pool: pool}
}

// sdlFile is the committed SDL the router composes (schema/<name>.graphqls).
func sdlFile(t testing.TB, name string) string {
	t.Helper()
	root, err := routertest.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(root, "schema", name+".graphqls")
	if _, err := os.Stat(p); err != nil {
		t.Fatal(err)
	}
	return p
}

// stack is identity and wallet behind the real router, which verifies identity's access
// tokens against its JWKS and forwards the verified identity to the subgraphs.
type stack struct {
	wallet   *wallet
	identity *identitysvc.Service
	router   *routertest.Router
}

func startStack(t *testing.T) *stack {
	t.Helper()
	w := startWallet(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, idPool := testdb.Empty(t, 4)
	rdb, err := redisdb.Connect(ctx, endpoints.Redis())
	if err != nil {
		t.Fatalf("Redis is not reachable at %s (start it with deploy/local/services.sh up redis): %v", endpoints.Redis(), err)
	}
	t.Cleanup(func() { _ = rdb.Close() })
	idCfg := identitysvc.DefaultConfig()
	idCfg.RedisKeyPrefix = "wallet-test-identity:" + strings.ToLower(rand.Text()[:10]) + ":"
	idCfg.Argon2MemoryKiB, idCfg.Argon2Time = 1024, 1
	idCfg.LoginPerAccountPerMinute, idCfg.LoginPerIPPerMinute = 1000, 10000
	id, err := identitysvc.New(ctx, idCfg, idPool, rdb, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	idSrv := httptest.NewServer(id.Handler)
	t.Cleanup(idSrv.Close)
	r := routertest.Start(t, []routertest.Subgraph{
		{Name: "identity", URL: idSrv.URL + "/query", SDLFile: sdlFile(t, "identity")},
		{Name: "wallet", URL: w.url, SDLFile: sdlFile(t, "wallet")},
	}, routertest.Options{RouterYAML: fmt.Sprintf("auth: {jwks_url: %q, issuer: %q, audience: %q}\n",
		idSrv.URL+"/.well-known/jwks.json", idCfg.Issuer, idCfg.Audience)})
	return &stack{wallet: w, identity: id, router: r}
}

// user is a registered account and the headers that carry its access token.
type user struct {
	ID string
	h  http.Header
}

// newUser registers through the router; admin users get the ADMIN role and a fresh login.
func (s *stack) newUser(t *testing.T, roles ...authz.Role) user {
	t.Helper()
	email := "w-" + strings.ToLower(rand.Text()[:10]) + "@example.com"
	const password = "correct horse battery"
	resp := s.router.Do(t, `mutation($in: RegisterInput!) { register(input: $in) { accessToken user { id } } }`,
		map[string]any{"in": map[string]any{"email": email, "password": password, "name": "Wallet Tester"}}, nil)
	wantNoErrors(t, resp)
	var reg struct {
		Register struct {
			AccessToken string
			User        struct{ ID string }
		}
	}
	if err := resp.Decode(&reg); err != nil {
		t.Fatal(err)
	}
	token := reg.Register.AccessToken
	if len(roles) > 0 {
		bootstrap := authz.WithIdentity(context.Background(), authz.Identity{UserID: "test-bootstrap", Roles: []authz.Role{authz.RoleAdmin}})
		for _, r := range roles {
			if _, err := s.identity.App.AssignRole(bootstrap, reg.Register.User.ID, string(r)); err != nil {
				t.Fatal(err)
			}
		}
		resp := s.router.Do(t, `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }`,
			map[string]any{"e": email, "p": password}, nil)
		wantNoErrors(t, resp)
		var login struct{ Login struct{ AccessToken string } }
		if err := resp.Decode(&login); err != nil {
			t.Fatal(err)
		}
		token = login.Login.AccessToken
	}
	h := http.Header{}
	h.Set("Authorization", "Bearer "+token)
	return user{ID: reg.Register.User.ID, h: h}
}

func newUserID() string { return "u-" + strings.ToLower(rand.Text()[:10]) }

// as is the identity the router forwards after verifying a token: for talking to the
// wallet directly, without the router.
func as(userID string, roles ...authz.Role) http.Header {
	if len(roles) == 0 {
		roles = []authz.Role{authz.RoleCustomer}
	}
	h := http.Header{}
	authz.SetHeadersFor(h, "wallet", authz.Identity{UserID: userID, Roles: roles})
	return h
}

func wantCode(t testing.TB, resp *routertest.Response, code string) {
	t.Helper()
	if !resp.HasCode(code) {
		t.Errorf("want an error with code %s, got %+v (data %s)", code, resp.Errors, resp.Data)
	}
}

func wantNoErrors(t testing.TB, resp *routertest.Response) {
	t.Helper()
	if len(resp.Errors) > 0 {
		t.Fatalf("errors: %+v (data %s)", resp.Errors, resp.Data)
	}
}

type money struct {
	AmountMinor string `json:"amountMinor"`
	Currency    string `json:"currency"`
}

type walletData struct {
	UserID        string  `json:"userId"`
	Balances      []money `json:"balances"`
	LoyaltyPoints string  `json:"loyaltyPoints"`
	Transactions  struct {
		Edges []struct {
			Cursor string `json:"cursor"`
			Node   struct {
				Kind    string `json:"kind"`
				OrderID *string
				Amount  money  `json:"amount"`
				Reason  string `json:"reason"`
			} `json:"node"`
		} `json:"edges"`
		PageInfo struct {
			HasNextPage bool   `json:"hasNextPage"`
			EndCursor   string `json:"endCursor"`
		} `json:"pageInfo"`
	} `json:"transactions"`
}

func (w walletData) balance(currency string) string {
	for _, b := range w.Balances {
		if b.Currency == currency {
			return b.AmountMinor
		}
	}
	return "0"
}

const (
	walletQuery = `query($u: ID!, $first: Int, $after: String) { wallet(userId: $u) { userId balances { amountMinor currency }
		loyaltyPoints transactions(first: $first, after: $after) { edges { cursor node { kind orderId amount { amountMinor currency } reason } }
		pageInfo { hasNextPage endCursor } } } }`
	topUpMutation = `mutation($a: WalletMoneyInput!, $k: String!) { topUp(amount: $a, idempotencyKey: $k) {
		id status amount { amountMinor currency } } }`
	adjustMutation = `mutation($u: ID!, $a: WalletMoneyInput!, $r: String!, $k: String!) {
		adminAdjustBalance(userId: $u, amount: $a, reason: $r, idempotencyKey: $k) { transactionId replayed wallet { userId balances { amountMinor currency } loyaltyPoints } } }`
	previewQuery = `query($t: WalletMoneyInput!, $p: Int64) { redeemPointsPreview(orderTotal: $t, points: $p) {
		points covered { amountMinor currency } remaining { amountMinor currency } balance } }`
)

type poster func(query string, vars map[string]any, h http.Header) *routertest.Response

func through(t testing.TB, r *routertest.Router) poster {
	return func(q string, v map[string]any, h http.Header) *routertest.Response { return r.Do(t, q, v, h) }
}

func direct(t testing.TB, url string) poster {
	return func(q string, v map[string]any, h http.Header) *routertest.Response {
		t.Helper()
		resp, err := routertest.Post(context.Background(), url, q, v, h)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
}

func readWallet(t testing.TB, do poster, userID string, h http.Header, vars map[string]any) walletData {
	t.Helper()
	v := map[string]any{"u": userID}
	for k, x := range vars {
		v[k] = x
	}
	resp := do(walletQuery, v, h)
	wantNoErrors(t, resp)
	var data struct{ Wallet walletData }
	if err := resp.Decode(&data); err != nil {
		t.Fatal(err)
	}
	return data.Wallet
}

// eventually polls cond until it holds or 15 s pass.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func topUp(t testing.TB, do poster, h http.Header, amount any, key string) {
	t.Helper()
	resp := do(topUpMutation, map[string]any{"a": map[string]any{"amountMinor": amount, "currency": "UZS"}, "k": key}, h)
	wantNoErrors(t, resp)
	// A retried request answers with its intent as it is now: still PENDING, or already
	// SUCCEEDED when the gateway's webhook was quicker than the retry.
	if !strings.Contains(string(resp.Data), `"PENDING"`) && !strings.Contains(string(resp.Data), `"SUCCEEDED"`) {
		t.Fatalf("topUp: %s", resp.Data)
	}
}
