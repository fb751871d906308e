package observability

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/platform/routertest"
	"github.com/dizhtime/dizhtime/platform/stack"
)

// backend is a collection program (Jaeger, Prometheus, ...) the test runs as a child process.
type backend struct {
	name    string
	cmd     *exec.Cmd
	logPath string
	exited  chan error
}

// binary finds a backend's program: the env variable, then the repository's .dizhtime/bin
// (where deploy/local/services.sh builds Go tools), then PATH. Missing is a failure that
// says how to install it, never a skip.
func binary(t *testing.T, envVar, name, install string) string {
	t.Helper()
	if p := os.Getenv(envVar); p != "" {
		return p
	}
	root, err := routertest.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	if p := filepath.Join(root, ".dizhtime", "bin", name); isExecutable(p) {
		return p
	}
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	t.Fatalf("%s is not installed (set %s, or run: %s)", name, envVar, install)
	return ""
}

func isExecutable(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir() && st.Mode()&0o111 != 0
}

// startBackend runs path with args and env, output to dir/<name>.log, until the test ends;
// it waits for readyURL to answer 200.
func startBackend(t *testing.T, ctx context.Context, dir, name, readyURL string, env []string, path string, args ...string) *backend {
	t.Helper()
	b := &backend{name: name, logPath: filepath.Join(dir, name+".log"), exited: make(chan error, 1)}
	logFile, err := os.Create(b.logPath)
	if err != nil {
		t.Fatal(err)
	}
	b.cmd = exec.Command(path, args...)
	b.cmd.Dir = dir
	b.cmd.Env = append(os.Environ(), env...)
	b.cmd.Stdout, b.cmd.Stderr = logFile, logFile
	b.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := b.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() { b.exited <- b.cmd.Wait(); _ = logFile.Close() }()
	t.Cleanup(func() {
		_ = b.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-b.exited:
		case <-time.After(10 * time.Second):
			_ = b.cmd.Process.Kill()
			<-b.exited
		}
		if t.Failed() {
			t.Logf("--- %s log (last lines):\n%s", name, stack.Tail(b.logPath, 20))
		}
	})
	deadline := time.Now().Add(90 * time.Second)
	for {
		select {
		case err := <-b.exited:
			t.Fatalf("%s exited while starting (%v):\n%s", name, err, stack.Tail(b.logPath, 30))
		default:
		}
		if res, err := http.Get(readyURL); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return b
			}
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			t.Fatalf("%s did not answer %s within 90s:\n%s", name, readyURL, stack.Tail(b.logPath, 30))
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// jaeger is a running Jaeger: OTLP is the OTLP/HTTP base URL processes export to, Query
// the query API's base URL.
type jaeger struct {
	OTLP, Query string
}

func startJaeger(t *testing.T, ctx context.Context, dir string) jaeger {
	t.Helper()
	path := binary(t, "DIZHTIME_JAEGER_BIN", "jaeger", "deploy/local/services.sh up jaeger")
	root, err := routertest.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	addrs, err := stack.FreeAddrs(6)
	if err != nil {
		t.Fatal(err)
	}
	port := func(i int) string { return addrs[i][strings.LastIndex(addrs[i], ":")+1:] }
	env := []string{"JAEGER_OTLP_HTTP=" + port(0), "JAEGER_OTLP_GRPC=" + port(1), "JAEGER_QUERY_HTTP=" + port(2),
		"JAEGER_QUERY_GRPC=" + port(3), "JAEGER_HEALTH=" + port(4), "JAEGER_METRICS=" + port(5)}
	startBackend(t, ctx, dir, "jaeger", fmt.Sprintf("http://%s/status", addrs[4]), env,
		path, "--config", filepath.Join(root, "deploy", "observability", "jaeger.yaml"))
	return jaeger{OTLP: "http://" + addrs[0], Query: "http://" + addrs[2]}
}

// TestCollectorConfig_passesValidation validates production's OpenTelemetry Collector
// configuration (otel-collector.yaml: OTLP in, memory limiter, tail sampling, batch, OTLP
// to Tempo) with `jaeger validate`: Jaeger v2 is a Collector distribution carrying those
// components. No Tempo binary is installable here, so tempo.yaml is not checked.
func TestCollectorConfig_passesValidation(t *testing.T) {
	path := binary(t, "DIZHTIME_JAEGER_BIN", "jaeger", "deploy/local/services.sh up jaeger")
	root, err := routertest.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"otel-collector.yaml", "jaeger.yaml"} {
		cmd := exec.Command(path, "validate", "--config", filepath.Join(root, "deploy", "observability", f))
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("jaeger validate --config %s: %v\n%s", f, err, out)
		}
	}
}
