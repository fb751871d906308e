package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestReadSubgraphs_takesNamesAndListenAddressesFromSupergraphYAML(t *testing.T) {
	path := filepath.Join(t.TempDir(), "supergraph.yaml")
	body := "subgraphs:\n  - name: identity\n    routing_url: http://127.0.0.1:4001/query\n    schema: {file: schema/identity.graphqls}\n"
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	subs, err := readSubgraphs(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(subs) != 1 || subs[0].Name != "identity" {
		t.Fatalf("subgraphs = %+v", subs)
	}
	addr, err := listenAddr(subs[0].RoutingURL)
	if err != nil || addr != "127.0.0.1:4001" {
		t.Fatalf("addr = %q, %v", addr, err)
	}
	if _, err := listenAddr("/query"); err == nil {
		t.Fatal("a relative routing URL must be refused")
	}
}

func TestReadSubgraphs_aMissingFileMeansNoSubgraphs(t *testing.T) {
	subs, err := readSubgraphs(filepath.Join(t.TempDir(), "none.yaml"))
	if err != nil || subs != nil {
		t.Fatalf("subs = %v, err = %v", subs, err)
	}
}

func TestChild_stopsWithSIGTERMWhenTheContextEnds(t *testing.T) {
	c := &child{name: "sleeper", path: "/bin/sleep", args: []string{"60"}, logPath: filepath.Join(t.TempDir(), "log")}
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

func TestChild_anUnexpectedExitIsAnErrorWithTheLog(t *testing.T) {
	c := &child{name: "crasher", path: "/bin/sh", args: []string{"-c", "echo boom; exit 3"},
		logPath: filepath.Join(t.TempDir(), "log"), readyURL: "http://127.0.0.1:1/readyz"}
	if err := c.start(); err != nil {
		t.Fatal(err)
	}
	err := c.waitReady(context.Background(), 10*time.Second)
	if err == nil || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("waitReady = %v, want the exit with the log tail", err)
	}
}
