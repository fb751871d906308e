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
)

// browserReady fails the test, saying what to run, unless what a browser journey needs is
// there (prepared outside any deadline: make web-deps web-build, apt-get install chromium;
// it never skips): web/'s npm packages, Debian's chromium (DIZHTIME_CHROMIUM overrides its
// path), node and each named app built. It returns chromium's path.
func browserReady(t *testing.T, root string, apps ...string) string {
	t.Helper()
	chromium := os.Getenv("DIZHTIME_CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	need := map[string]string{
		"web/'s npm packages (make web-deps)":          filepath.Join(root, "web", "node_modules", "playwright-core"),
		"Debian's chromium (apt-get install chromium)": chromium,
	}
	for _, a := range apps {
		need["the built "+a+" app (make web-build)"] = filepath.Join(root, "web", "apps", a, "dist", "index.html")
	}
	for what, p := range need {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("%s is missing: %v", what, err)
		}
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Fatalf("node is not installed: %v", err)
	}
	return chromium
}

// serveApps serves each named app's build under /<app>/ from one local origin and tells
// the router's CORS to allow it (call it before the stack starts); it returns the origin.
func serveApps(t *testing.T, root string, apps ...string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	origin := "http://" + ln.Addr().String()
	mux := http.NewServeMux()
	for _, a := range apps {
		mux.Handle("/"+a+"/", http.StripPrefix("/"+a+"/", http.FileServer(http.Dir(filepath.Join(root, "web", "apps", a, "dist")))))
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	t.Setenv("DIZHTIME_ROUTER_CORS_ALLOWED_ORIGINS", origin)
	return origin
}

// runBrowserScript runs the playwright script in node from web/ with env added, logs every
// line it prints and hands each to onLine (may be nil), and fails the test unless the
// script's verdict line is PASS and it exited cleanly.
func runBrowserScript(t *testing.T, ctx context.Context, root, script string, env []string, onLine func(line string)) {
	t.Helper()
	cmd := exec.CommandContext(ctx, "node", script)
	cmd.Dir = filepath.Join(root, "web")
	cmd.Env = append(os.Environ(), env...)
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
		if onLine != nil {
			onLine(line)
		}
	}
	if werr := cmd.Wait(); verdict != "PASS" || werr != nil {
		t.Fatalf("browser test: %q (exit: %v)\nstderr:\n%s", verdict, werr, stderr.String())
	}
}
