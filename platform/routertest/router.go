package routertest

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwk"

	"github.com/dizhtime/dizhtime/platform/authz"
)

// Subgraph is one entry of the supergraph.yaml Start writes.
type Subgraph struct {
	Name string
	// URL is the routing URL, e.g. http://127.0.0.1:4001/query.
	URL string
	// SDLFile is the subgraph's SDL; empty makes the router fetch _service { sdl }.
	SDLFile string
	// SubscriptionURL (ws://...) and SubscriptionProtocol (graphql-transport-ws by
	// default) enable subscriptions through the router.
	SubscriptionURL      string
	SubscriptionProtocol string
}

// Options tune the router.
type Options struct {
	// RouterYAML is appended to the generated router.yaml (listen_addr and
	// supergraph_file are set by Start).
	RouterYAML string
	// Env is added to the router's environment (KEY=value).
	Env []string
	// StartTimeout bounds composition and start-up (default 60 s).
	StartTimeout time.Duration
}

// Router is a running router.
type Router struct {
	// URL is the GraphQL endpoint, http://127.0.0.1:PORT/graphql.
	URL string
	// WSURL is the same endpoint as ws://.
	WSURL string
	// Output holds what the router printed so far (for failure messages).
	output *syncBuffer
}

// Output returns the router's combined stdout and stderr so far.
func (r *Router) Output() string { return r.output.String() }

var listening = regexp.MustCompile(`router listening on (http://\S+)`)

// Start starts the router in front of subgraphs; it is stopped when t ends.
func Start(t testing.TB, subgraphs []Subgraph, opts ...Options) *Router {
	t.Helper()
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	if o.StartTimeout == 0 {
		o.StartTimeout = 60 * time.Second
	}
	bin := Binary(t)
	dir := t.TempDir()
	var sg strings.Builder
	sg.WriteString("subgraphs:\n")
	for _, s := range subgraphs {
		fmt.Fprintf(&sg, "  - name: %s\n    routing_url: %s\n", s.Name, s.URL)
		if s.SubscriptionURL != "" {
			proto := s.SubscriptionProtocol
			if proto == "" {
				proto = "graphql-transport-ws"
			}
			fmt.Fprintf(&sg, "    subscription: {url: %s, protocol: %s}\n", s.SubscriptionURL, proto)
		}
		if s.SDLFile != "" {
			abs, err := filepath.Abs(s.SDLFile)
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&sg, "    schema: {file: %q}\n", abs)
		}
	}
	supergraph := filepath.Join(dir, "supergraph.yaml")
	routerYAML := filepath.Join(dir, "router.yaml")
	write(t, supergraph, sg.String())
	write(t, routerYAML, fmt.Sprintf("listen_addr: 127.0.0.1:0\nsupergraph_file: %q\n%s", supergraph, o.RouterYAML))

	cmd := exec.Command(bin, "serve", "-config", routerYAML, "-supergraph", supergraph)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), routerServiceKey(t, dir, subgraphs))
	cmd.Env = append(cmd.Env, o.Env...)
	out := &syncBuffer{}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start router: %v", err)
	}
	exited := make(chan struct{})
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 64*1024), 1<<20)
		sent := false
		for sc.Scan() {
			line := sc.Text()
			out.WriteLine(line)
			if m := listening.FindStringSubmatch(line); m != nil && !sent {
				addr <- m[1]
				sent = true
			}
		}
	}()
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
		if t.Failed() {
			t.Logf("router output:\n%s", out.String())
		}
	})
	select {
	case u := <-addr:
		return &Router{URL: u, WSURL: "ws" + strings.TrimPrefix(u, "http"), output: out}
	case <-exited:
		t.Fatalf("router exited before listening:\n%s", out.String())
	case <-time.After(o.StartTimeout):
		t.Fatalf("router did not listen within %s:\n%s", o.StartTimeout, out.String())
	}
	return nil
}

var routerKey struct {
	once sync.Once
	key  jwk.Key
	err  error
}

// routerServiceKey gives the router a service key and makes this process's subgraphs
// trust it, answering to the names the router addresses them by: the subgraphs of these
// tests run in the test process (platform/authz.ProcessServiceIdentity) while the router
// runs apart, as in production. One key per test process, so routers started side by side
// all speak with the key the subgraphs trust.
func routerServiceKey(t testing.TB, dir string, subgraphs []Subgraph) string {
	t.Helper()
	initRouterKey(t)
	for _, s := range subgraphs {
		authz.ProcessServiceIdentity().AnswerAs(s.Name)
	}
	raw, err := json.Marshal(routerKey.key)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "router.jwk")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	return "DIZHTIME_ROUTER_AUTH_SERVICE_KEY_FILE=" + path
}

// ChildServiceEnv is the environment for a subgraph a test runs as a child process
// behind a router Start starts: a service key of its own and the routers' public key
// to trust (platform/authz reads both at start).
func ChildServiceEnv(t testing.TB, service string) []string {
	t.Helper()
	initRouterKey(t)
	dir := t.TempDir()
	key, err := authz.GenerateServiceKey(service)
	if err != nil {
		t.Fatal(err)
	}
	// This process (its in-process subgraphs and fakes) hears the child's service calls.
	childPub, err := key.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	if err := authz.ProcessServiceIdentity().Trust(childPub); err != nil {
		t.Fatal(err)
	}
	routerPub, err := routerKey.key.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	set := jwk.NewSet()
	if err := set.AddKey(routerPub); err != nil {
		t.Fatal(err)
	}
	keyFile, jwksFile := filepath.Join(dir, service+".jwk"), filepath.Join(dir, "services.jwks.json")
	for path, v := range map[string]any{keyFile: key, jwksFile: set} {
		raw, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, raw, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return []string{authz.EnvServiceName + "=" + service, authz.EnvServiceKeyFile + "=" + keyFile, authz.EnvServiceJWKSFile + "=" + jwksFile}
}

func initRouterKey(t testing.TB) {
	t.Helper()
	routerKey.once.Do(func() {
		if self := authz.ProcessServiceIdentity(); self.Name() == authz.RouterService {
			// The test process plays the router already: the router binary speaks with
			// its key, so what the test signs and what the router signs are one voice.
			routerKey.key = self.PrivateKey()
			return
		}
		routerKey.key, routerKey.err = authz.GenerateServiceKey(authz.RouterService)
		if routerKey.err != nil {
			return
		}
		pub, err := routerKey.key.PublicKey()
		if err != nil {
			routerKey.err = err
			return
		}
		routerKey.err = authz.ProcessServiceIdentity().Trust(pub)
	})
	if routerKey.err != nil {
		t.Fatalf("router service key: %v", routerKey.err)
	}
}

func write(t testing.TB, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

var (
	buildOnce sync.Once
	buildBin  string
	buildErr  error
)

// Binary builds router/cmd/router once per test process and returns its path.
func Binary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() { buildBin, buildErr = build() })
	if buildErr != nil {
		t.Fatalf("build router: %v", buildErr)
	}
	return buildBin
}

func build() (string, error) {
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	// Binaries live under the git-ignored .dizhtime/; one per process so parallel test
	// binaries never overwrite each other, old ones swept on the way.
	dir := filepath.Join(root, ".dizhtime", "routertest")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	if entries, err := os.ReadDir(dir); err == nil {
		for _, e := range entries {
			if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > time.Hour {
				_ = os.Remove(filepath.Join(dir, e.Name()))
			}
		}
	}
	bin := filepath.Join(dir, fmt.Sprintf("router-%d", os.Getpid()))
	cmd := exec.Command("go", "build", "-o", bin, "./router/cmd/router")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./router/cmd/router: %v\n%s", err, out)
	}
	return bin, nil
}

// RepoRoot is the nearest directory above the working directory holding go.work.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.work")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.work above the working directory")
		}
		dir = parent
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) WriteLine(line string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.b.WriteString(line)
	s.b.WriteByte('\n')
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// AuthYAML is the router.yaml block that makes the router verify access tokens against
// the identity service's JWKS (identityBase is its base URL, http://127.0.0.1:PORT) and
// forward the verified caller to subgraphs as X-DizhTime-User-Id / X-DizhTime-Roles.
// Append it to Options.RouterYAML and send Bearer(token) with each request (or
// {"Authorization": "Bearer <token>"} as Subscribe's initPayload). The router refuses
// X-DizhTime-* in headers.propagate: identity only comes from a verified token.
func AuthYAML(identityBase, issuer, audience string) string {
	return fmt.Sprintf("auth: {jwks_url: %q, issuer: %q, audience: %q}\n",
		strings.TrimSuffix(identityBase, "/")+"/.well-known/jwks.json", issuer, audience)
}

// Bearer is the Authorization header carrying an access token.
func Bearer(token string) http.Header {
	return http.Header{"Authorization": {"Bearer " + token}}
}
