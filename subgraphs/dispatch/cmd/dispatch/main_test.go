package main

import (
	"context"
	"crypto/rand"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"github.com/dizhtime/dizhtime/platform/endpoints"
	"github.com/dizhtime/dizhtime/platform/postgres"
	"github.com/dizhtime/dizhtime/subgraphs/dispatch/command"
)

func TestRun_refusesAnUnknownCommand(t *testing.T) {
	if err := command.Run([]string{"migrate"}); err == nil || !strings.Contains(err.Error(), "unknown command") {
		t.Fatalf("run(migrate) = %v, want an unknown command error", err)
	}
}

// The dev supervisor (dizhtime dev) builds cmd/dispatch, starts `dispatch serve` with
// DIZHTIME_* addresses in the environment and waits for /readyz on DIZHTIME_HTTP_ADDR.
// This does the same against the real services, in a schema, key prefix and consumer
// group of its own, and checks that SIGTERM drains it cleanly.
func TestServe_answersReadyzOnTheAddressTheDevSupervisorGivesIt(t *testing.T) {
	ctx := context.Background()
	bin := filepath.Join(t.TempDir(), "dispatch")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	pgURL := os.Getenv("DIZHTIME_POSTGRES_URL")
	if pgURL == "" {
		pgURL = endpoints.Postgres()
	}
	admin, err := postgres.Open(ctx, pgURL)
	if err != nil {
		t.Fatalf("PostgreSQL not reachable (start it with `deploy/local/services.sh up postgres`): %v", err)
	}
	defer admin.Close()
	id := strings.ToLower(rand.Text()[:10])
	schema := "test_dispatch_serve_" + id
	if _, err := admin.Exec(ctx, `CREATE SCHEMA `+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = admin.Exec(context.Background(), `DROP SCHEMA `+schema+` CASCADE`) })
	u, err := url.Parse(pgURL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	group := "test-dispatch-serve-" + id
	t.Cleanup(func() {
		brokers := endpoints.Kafka()
		c := &kafkago.Client{Addr: kafkago.TCP(brokers...), Timeout: 10 * time.Second}
		_, _ = c.DeleteGroups(context.Background(), &kafkago.DeleteGroupsRequest{GroupIDs: []string{group}})
	})

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(),
		"DIZHTIME_SERVICE=dispatch", "DIZHTIME_HTTP_ADDR="+addr, "DIZHTIME_POSTGRES_URL="+u.String(),
		"DIZHTIME_REDIS_ADDR="+endpoints.Redis(), "DIZHTIME_KAFKA_BROKERS="+strings.Join(endpoints.Kafka(), ","),
		"DIZHTIME_LOG_LEVEL=warn", "DIZHTIME_DISPATCH_REDIS_KEY_PREFIX=test:"+schema+":",
		"DIZHTIME_DISPATCH_CONSUMER_GROUP="+group, "DIZHTIME_DISPATCH_CONSUME_FROM_START=false")
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() { _ = cmd.Process.Kill() })

	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case err := <-exited:
			t.Fatalf("dispatch serve exited (%v) before it was ready:\n%s", err, out.String())
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz not 200 within 60s:\n%s", out.String())
		}
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("dispatch serve after SIGTERM: %v\n%s", err, out.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("dispatch serve did not stop within 30s of SIGTERM:\n%s", out.String())
	}
}
