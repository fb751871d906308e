package service_test

import (
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dizhtime/dizhtime/platform/authz"
	"github.com/dizhtime/dizhtime/platform/endpoints"
	"github.com/dizhtime/dizhtime/platform/postgres"
	"github.com/dizhtime/dizhtime/platform/redisdb"
	"github.com/dizhtime/dizhtime/platform/routertest"
	"github.com/dizhtime/dizhtime/subgraphs/identity/service"
)

// identity is one identity service on a loopback port, against the real PostgreSQL (a
// schema of its own) and the real Redis (a key prefix of its own).
type identity struct {
	svc  *service.Service
	pool *pgxpool.Pool // the service's own schema
	srv  *httptest.Server
	url  string // GraphQL endpoint
}

func testConfig() service.Config {
	cfg := service.DefaultConfig()
	cfg.RedisKeyPrefix = "identity-test:" + strings.ToLower(rand.Text()[:10]) + ":"
	cfg.Argon2MemoryKiB, cfg.Argon2Time = 1024, 1 // cheap hashes keep the tests fast
	cfg.LoginPerAccountPerMinute, cfg.LoginPerIPPerMinute = 100, 1000
	return cfg
}

func startIdentity(t testing.TB, cfg service.Config) *identity {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	pool := schemaPool(t, ctx)
	rdb, err := redisdb.Connect(ctx, endpoints.Redis())
	if err != nil {
		t.Fatalf("Redis is not reachable at %s (start it with deploy/local/services.sh up redis): %v", endpoints.Redis(), err)
	}
	t.Cleanup(func() { _ = rdb.Close() })
	svc, err := service.New(ctx, cfg, pool, rdb, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(svc.Handler)
	t.Cleanup(srv.Close)
	return &identity{svc: svc, pool: pool, srv: srv, url: srv.URL + "/query"}
}

func schemaPool(t testing.TB, ctx context.Context) *pgxpool.Pool {
	t.Helper()
	admin, err := postgres.Open(ctx, endpoints.Postgres())
	if err != nil {
		t.Fatalf("PostgreSQL is not reachable at %s (start it with deploy/local/services.sh up postgres): %v", endpoints.Postgres(), err)
	}
	t.Cleanup(admin.Close)
	schema := "identity_test_" + strings.ToLower(rand.Text()[:12])
	if _, err := admin.Exec(ctx, `CREATE SCHEMA `+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, _ = admin.Exec(c, `DROP SCHEMA `+schema+` CASCADE`)
	})
	pool, err := postgres.Open(ctx, endpoints.Postgres(), func(c *pgxpool.Config) {
		c.ConnConfig.RuntimeParams["search_path"] = schema
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// do posts to the identity service directly, as the router would, with identity
// headers when who is not nil.
func (i *identity) do(t testing.TB, who *authz.Identity, query string, vars map[string]any) *routertest.Response {
	t.Helper()
	h := http.Header{}
	if who != nil {
		authz.SetHeaders(h, *who)
	}
	resp, err := routertest.Post(context.Background(), i.url, query, vars, h)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// sdlFile is the committed SDL the router composes.
func sdlFile(t testing.TB) string {
	t.Helper()
	root, err := routertest.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(root, "schema", "identity.graphqls")
	if _, err := os.Stat(p); err != nil {
		t.Fatal(err)
	}
	return p
}

func uniqueEmail() string {
	return "user-" + strings.ToLower(rand.Text()[:10]) + "@example.com"
}

func wantCode(t testing.TB, resp *routertest.Response, code string) {
	t.Helper()
	if resp.HasCode(code) {
		return
	}
	t.Errorf("want an error with code %s, got %+v (data %s)", code, resp.Errors, resp.Data)
}

func wantNoErrors(t testing.TB, resp *routertest.Response) {
	t.Helper()
	if len(resp.Errors) > 0 {
		t.Fatalf("errors: %+v", resp.Errors)
	}
}

const (
	registerMutation = `mutation($in: RegisterInput!) { register(input: $in) {
		accessToken refreshToken user { id email name roles } } }`
	loginMutation = `mutation($e: String!, $p: String!) { login(email: $e, password: $p) {
		accessToken refreshToken user { id } } }`
	refreshMutation = `mutation($t: String!) { refresh(refreshToken: $t) { accessToken refreshToken } }`
	logoutMutation  = `mutation($t: String!) { logout(refreshToken: $t) }`
	userQuery       = `query($id: ID!) { user(id: $id) { id email name roles } }`
)

type authPayload struct {
	AccessToken  string `json:"accessToken"`
	RefreshToken string `json:"refreshToken"`
	User         struct {
		ID    string   `json:"id"`
		Email string   `json:"email"`
		Roles []string `json:"roles"`
	} `json:"user"`
}

func decodeField(t testing.TB, resp *routertest.Response, field string) authPayload {
	t.Helper()
	wantNoErrors(t, resp)
	var data map[string]authPayload
	if err := resp.Decode(&data); err != nil {
		t.Fatal(err)
	}
	return data[field]
}

func register(t testing.TB, do func(q string, v map[string]any) *routertest.Response, email, password string) authPayload {
	t.Helper()
	return decodeField(t, do(registerMutation, map[string]any{"in": map[string]any{
		"email": email, "password": password, "name": "Ada Lovelace"}}), "register")
}
