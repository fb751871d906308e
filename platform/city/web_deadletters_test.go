package city

import (
	"bufio"
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/platform/routertest"
)

// TestWebDeadLetters_theAdminReplaysOneLetterAndDiscardsAnotherOnTheScreen runs the built
// admin app (web/apps/admin, `make web-build`) in Debian's chromium through playwright-core
// (web/e2e/deadletters.mjs) against the real platform: two poison notifications are parked
// while the notifications store refuses them (as TestDeadLetters), the store is repaired,
// and the admin, on #/dead-letters, replays the first and discards the second. The
// customer's inbox then holds the first exactly once and never the second; axe-core finds
// no serious violation on the screen.
func TestWebDeadLetters_theAdminReplaysOneLetterAndDiscardsAnotherOnTheScreen(t *testing.T) {
	root, err := routertest.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(root, "web", "e2e", "deadletters.mjs")
	chromium := os.Getenv("DIZHTIME_CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	for what, p := range map[string]string{
		"web/'s npm packages (make web-deps)":          filepath.Join(root, "web", "node_modules", "playwright-core"),
		"Debian's chromium (apt-get install chromium)": chromium,
		"the built admin app (make web-build)":         filepath.Join(root, "web", "apps", "admin", "dist", "index.html"),
	} {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("%s is missing: %v", what, err)
		}
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Fatalf("node is not installed: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	origin := "http://" + ln.Addr().String()
	mux := http.NewServeMux()
	mux.Handle("/admin/", http.StripPrefix("/admin/", http.FileServer(http.Dir(filepath.Join(root, "web", "apps", "admin", "dist")))))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	t.Setenv("DIZHTIME_ROUTER_CORS_ALLOWED_ORIGINS", origin)

	boot, stop := context.WithTimeout(context.Background(), 25*time.Minute)
	defer stop()
	city := startRealCity(t, boot)
	ctx, cancel := context.WithTimeout(boot, 6*time.Minute)
	defer cancel()
	drill := startDeadLetterDrill(t, ctx, city)
	replay := drill.parkPoison(t, ctx, "the drill to replay")
	discard := drill.parkPoison(t, ctx, "the drill to discard")
	drill.repair(t, ctx)

	artifacts := filepath.Join(root, "web", "e2e", "artifacts", city.run+"-deadletters")
	cmd := exec.CommandContext(ctx, "node", script)
	cmd.Dir = filepath.Join(root, "web")
	cmd.Env = append(os.Environ(),
		"WEB_E2E_BASE="+origin, "WEB_E2E_ROUTER="+city.RouterURL, "WEB_E2E_PASSWORD="+password,
		"WEB_E2E_ADMIN_EMAIL="+drill.admin.Email, "WEB_E2E_DLQ_TOPIC="+replay.Topic,
		"WEB_E2E_REPLAY_EVENT="+replay.EventID, "WEB_E2E_DISCARD_EVENT="+discard.EventID,
		"WEB_E2E_ARTIFACTS="+artifacts, "WEB_E2E_CHROMIUM="+chromium,
	)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	verdict := ""
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		line := sc.Text()
		t.Log("browser: " + line)
		if strings.HasPrefix(line, "PASS") || strings.HasPrefix(line, "FAIL") {
			verdict = line
		}
	}
	if werr := cmd.Wait(); verdict != "PASS" || werr != nil {
		t.Fatalf("browser test: %q (exit: %v)\nstderr:\n%s", verdict, werr, stderr.String())
	}

	// The outcome as the API has it: the replayed event applied once, the discarded never.
	drill.awaitInbox(t, ctx, replay.EventID, "the drill to replay", 1)
	drill.awaitConsumed(t, ctx)
	if got := drill.inboxCount(t, ctx, "the drill to replay"); got != 1 {
		t.Errorf("the replayed notification is in the inbox %d times, want exactly once", got)
	}
	if got := drill.inboxCount(t, ctx, "the drill to discard"); got != 0 {
		t.Errorf("the discarded notification reached the inbox %d times", got)
	}
	if l := drill.letter(t, ctx, discard.EventID); l != nil {
		t.Errorf("the discarded letter is still listed: %+v", l)
	}
}
