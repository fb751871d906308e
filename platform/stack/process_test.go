package stack

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestReadSupergraph_takesNamesAndListenAddressesFromSupergraphYAML(t *testing.T) {
	path := filepath.Join(t.TempDir(), "supergraph.yaml")
	body := "subgraphs:\n  - name: identity\n    routing_url: http://127.0.0.1:4001/query\n    schema: {file: schema/identity.graphqls}\n"
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	subs, err := ReadSupergraph(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(subs) != 1 || subs[0].Name != "identity" {
		t.Fatalf("subgraphs = %+v", subs)
	}
	addr, err := subs[0].Addr()
	if err != nil || addr != "127.0.0.1:4001" {
		t.Fatalf("addr = %q, %v", addr, err)
	}
	if _, err := (Subgraph{RoutingURL: "/query"}).Addr(); err == nil {
		t.Fatal("a relative routing URL must be refused")
	}
}

func TestReadSupergraph_aMissingFileMeansNoSubgraphs(t *testing.T) {
	subs, err := ReadSupergraph(filepath.Join(t.TempDir(), "none.yaml"))
	if err != nil || subs != nil {
		t.Fatalf("subs = %v, err = %v", subs, err)
	}
}

func TestProcess_stopsWithSIGTERMWhenTheContextEnds(t *testing.T) {
	c := &Process{name: "sleeper", path: "/bin/sleep", args: []string{"60"}, logPath: filepath.Join(t.TempDir(), "log")}
	if err := c.start(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run = %v, want nil after a requested stop", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("child did not stop within 5s of SIGTERM")
	}
}

func TestProcess_anUnexpectedExitIsAnErrorWithTheLog(t *testing.T) {
	c := &Process{name: "crasher", path: "/bin/sh", args: []string{"-c", "echo boom; exit 3"},
		logPath: filepath.Join(t.TempDir(), "log"), readyURL: "http://127.0.0.1:1/readyz"}
	if err := c.start(); err != nil {
		t.Fatal(err)
	}
	err := c.waitReady(context.Background(), 10*time.Second)
	if err == nil || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("waitReady = %v, want the exit with the log tail", err)
	}
}

func TestRelocate_movesEveryURLToItsNewPortAndAnchorsSchemaFiles(t *testing.T) {
	subs := []Subgraph{{
		Name: "orders", RoutingURL: "http://127.0.0.1:4003/query",
		Subscription: &SubscriptionEndpoint{URL: "ws://127.0.0.1:4003/query", Protocol: "graphql-transport-ws"},
		Schema:       &SchemaSource{File: "schema/orders.graphqls"},
	}}
	moved, err := Relocate(subs, "/repo", map[string]string{"orders": "127.0.0.1:5555"})
	if err != nil {
		t.Fatal(err)
	}
	m := moved[0]
	if m.RoutingURL != "http://127.0.0.1:5555/query" || m.Subscription.URL != "ws://127.0.0.1:5555/query" || m.Schema.File != "/repo/schema/orders.graphqls" {
		t.Fatalf("moved = %+v %+v %+v", m, *m.Subscription, *m.Schema)
	}
	if subs[0].Subscription.URL != "ws://127.0.0.1:4003/query" {
		t.Fatal("Relocate changed its input")
	}
	if _, err := Relocate(subs, "/repo", nil); err == nil {
		t.Fatal("a subgraph without an address must be refused")
	}
}

func TestWriteSupergraph_writesWhatReadSupergraphReads(t *testing.T) {
	path := filepath.Join(t.TempDir(), "supergraph.yaml")
	subs := []Subgraph{{Name: "identity", RoutingURL: "http://127.0.0.1:1/query", Schema: &SchemaSource{File: "/s.graphqls"}}}
	if err := WriteSupergraph(path, subs); err != nil {
		t.Fatal(err)
	}
	got, err := ReadSupergraph(path)
	if err != nil || len(got) != 1 || got[0].RoutingURL != subs[0].RoutingURL || got[0].Schema.File != "/s.graphqls" || got[0].Subscription != nil {
		t.Fatalf("got %+v, %v", got, err)
	}
}

func TestProcess_eachStartBeginsAFreshLogAndKeepsThePreviousRunsOnce(t *testing.T) {
	logPath := filepath.Join(t.TempDir(), "orders.log")
	if err := os.WriteFile(logPath, []byte("stale line of the previous run\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c := &Process{name: "crasher", path: "/bin/sh", args: []string{"-c", "echo this run; exit 3"},
		logPath: logPath, readyURL: "http://127.0.0.1:1/readyz"}
	if err := c.start(); err != nil {
		t.Fatal(err)
	}
	err := c.waitReady(context.Background(), 10*time.Second)
	if err == nil || !strings.Contains(err.Error(), "this run") || strings.Contains(err.Error(), "stale line") {
		t.Fatalf("waitReady = %v, want this run's lines only", err)
	}
	previous, err := os.ReadFile(logPath + ".1")
	if err != nil || string(previous) != "stale line of the previous run\n" {
		t.Fatalf("previous log = %q, %v", previous, err)
	}
}
