package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/router/command"
	"github.com/dizhtime/dizhtime/router/internal/testsubgraphs"
)

func TestCompose_writesTheSupergraphSchema(t *testing.T) {
	subgraphs := testsubgraphs.Start(t)
	dir := t.TempDir()
	sg := subgraphs.SupergraphYAML(t, dir, "graphql-transport-ws")
	out := filepath.Join(dir, "schema", "supergraph.graphql")
	var stdout, stderr bytes.Buffer
	if code := command.Run(context.Background(), []string{"compose", "-supergraph", sg, "-out", out}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	sdl, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"topProducts", "shippingEstimate", "reviewAdded", "addReview"} {
		if !strings.Contains(string(sdl), want) {
			t.Fatalf("supergraph lacks %q:\n%s", want, sdl)
		}
	}
}

func TestCompose_failsNonZeroNamingSubgraphTypeAndField(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	link := `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])` + "\n"
	write("products.graphqls", link+`type Query { product(upc: String!): Product } type Product @key(fields: "upc") { upc: String! name: String! }`)
	write("pricing.graphqls", link+`type Product @key(fields: "upc") { upc: String! name: Int! }`)
	write("supergraph.yaml", `subgraphs:
  - {name: products, routing_url: "http://127.0.0.1:1/query", schema: {file: products.graphqls}}
  - {name: pricing, routing_url: "http://127.0.0.1:2/query", schema: {file: pricing.graphqls}}
`)
	var stdout, stderr bytes.Buffer
	code := command.Run(context.Background(), []string{"compose", "-supergraph", filepath.Join(dir, "supergraph.yaml"), "-out", filepath.Join(dir, "out.graphql")}, &stdout, &stderr)
	if code == 0 {
		t.Fatal("want a non-zero exit")
	}
	for _, want := range []string{`"Product.name"`, `"pricing"`, `"products"`} {
		if !strings.Contains(stderr.String(), want) {
			t.Fatalf("stderr lacks %s: %s", want, stderr.String())
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "out.graphql")); !os.IsNotExist(err) {
		t.Fatal("a failed composition must not write the schema")
	}
}

func TestCompose_refusesAnUnknownKeyInSupergraphYAML(t *testing.T) {
	path := filepath.Join(t.TempDir(), "supergraph.yaml")
	if err := os.WriteFile(path, []byte("subgraphs:\n  - name: a\n    routing_url: http://x/q\n    shema: {file: a.graphqls}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := command.Run(context.Background(), []string{"compose", "-supergraph", path}, &stdout, &stderr); code == 0 || !strings.Contains(stderr.String(), "shema") {
		t.Fatalf("exit %d, stderr %s", code, stderr.String())
	}
}

// TestServe_asARealProcessAnswersAQueryAndStopsOnSIGTERM builds the router binary and
// runs `router serve` as its own process in front of the test subgraphs.
func TestServe_asARealProcessAnswersAQueryAndStopsOnSIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skips building the router binary (make test and CI never pass -short)")
	}
	bin := filepath.Join(t.TempDir(), "router")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	subgraphs := testsubgraphs.Start(t)
	sg := subgraphs.SupergraphYAML(t, t.TempDir(), "graphql-transport-ws")

	cmd := exec.Command(bin, "serve", "-supergraph", sg)
	cmd.Env = append(os.Environ(), "DIZHTIME_ROUTER_LISTEN_ADDR=127.0.0.1:0")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })

	urlCh := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "router listening on "); ok {
				urlCh <- u
			}
		}
	}()
	var url string
	select {
	case url = <-urlCh:
	case <-time.After(30 * time.Second):
		t.Fatalf("router did not start: %s", stderr.String())
	}

	resp, err := http.Post(url, "application/json", strings.NewReader(`{"query":"{ topProducts(first: 1) { name reviews { author { name } } } }"}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if want := `{"data":{"topProducts":[{"name":"Trilby","reviews":[{"author":{"name":"Ada Lovelace"}}]}]}}`; string(body) != want {
		t.Fatalf("got %s, want %s", body, want)
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("router exited with %v: %s", err, stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("router did not stop on SIGTERM")
	}
}
