package core_test

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestExplorer_aQueryAndASubscriptionWithATokenWorkBeforeAndAfterAReload opens the explorer
// (GraphiQL at /) in Debian's chromium (playwright-core, router/clients/explorer.mjs)
// against a router that requires a token, types the token into the headers editor, runs a
// query and a subscription, reloads the page and runs both again: every step answers, and
// every WebSocket connection_init carries the token (after the reload too, from the
// headers GraphiQL restored). The page has a favicon.
func TestExplorer_aQueryAndASubscriptionWithATokenWorkBeforeAndAfterAReload(t *testing.T) {
	dir := clientsDir(t, "playwright-core")
	chromium := os.Getenv("DIZHTIME_CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	if _, err := os.Stat(chromium); err != nil {
		t.Fatalf("Debian's chromium is missing (apt-get install chromium): %v", err)
	}
	issuer := newTokenIssuer(t)
	r := startRouter(t, "graphql-transport-ws", withAuth(issuer, true))
	token := issuer.token(t, "7", 10*time.Minute, "CUSTOMER")

	cmd := exec.Command("node", filepath.Join(dir, "explorer.mjs"), r.Base, token, chromium, t.TempDir())
	cmd.Dir = dir
	cmd.Stderr = &testLogWriter{t: t}
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("the browser did not run: %v\n%s", err, out)
	}
	var report struct {
		Steps []struct {
			Name, Result string
			OK           bool
		}
		ConnectionInits    []map[string]any
		HeadersAfterReload string
		Favicon            int
	}
	if err := json.Unmarshal(out, &report); err != nil {
		t.Fatalf("explorer output: %v: %s", err, out)
	}
	if len(report.Steps) != 4 {
		t.Errorf("steps = %+v; want 4", report.Steps)
	}
	for _, s := range report.Steps {
		t.Logf("%s: ok=%v %s", s.Name, s.OK, s.Result)
		if !s.OK {
			t.Errorf("%s failed: %s", s.Name, s.Result)
		}
	}
	if !strings.Contains(report.HeadersAfterReload, token) {
		t.Errorf("headers editor after the reload = %q; want the token", report.HeadersAfterReload)
	}
	if len(report.ConnectionInits) < 2 {
		t.Errorf("connection_init payloads = %v; want one before and one after the reload", report.ConnectionInits)
	}
	for i, p := range report.ConnectionInits {
		if p["Authorization"] != "Bearer "+token {
			t.Errorf("connection_init #%d payload = %v; want the token", i+1, p)
		}
	}
	if report.Favicon != http.StatusOK {
		t.Errorf("/favicon.ico answered %d", report.Favicon)
	}
}

// TestExplorer_theRootAnswersEveryClient: a browser gets the explorer with its favicon
// linked; curl (no HTML in Accept) gets a short text naming the endpoint and the explorer,
// not a 404.
func TestExplorer_theRootAnswersEveryClient(t *testing.T) {
	r := startRouter(t, "")
	get := func(accept string) (int, string, string) {
		req, _ := http.NewRequest(http.MethodGet, r.Base+"/", nil)
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Content-Type"), string(b)
	}
	if status, ct, body := get("text/html,application/xhtml+xml,*/*;q=0.8"); status != 200 || !strings.HasPrefix(ct, "text/html") || !strings.Contains(body, `rel="icon"`) {
		t.Errorf("a browser got %d %s %.200s", status, ct, body)
	}
	for _, accept := range []string{"*/*", ""} {
		status, ct, body := get(accept)
		if status != 200 || !strings.HasPrefix(ct, "text/plain") || !strings.Contains(body, r.URL) || !strings.Contains(body, "Explorer") {
			t.Errorf("Accept %q got %d %s %s", accept, status, ct, body)
		}
	}
	resp, err := http.Get(r.Base + "/favicon.ico")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/svg+xml" {
		t.Errorf("/favicon.ico: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}
