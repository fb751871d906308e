package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/dizhtime/dizhtime/platform/stack"
)

// moveSubgraphs is how a user moves the subgraphs' ports of `make run`.
const moveSubgraphs = "DIZHTIME_DEV_SUPERGRAPH_FILE=<a copy of supergraph.yaml with other ports in its routing_url and subscription url>"

// checkPorts checks every address `dizhtime dev` will listen on before anything starts and
// names each taken one: its holder when /proc tells, and the variable that moves it.
func checkPorts(cfg devConfig) error {
	type want struct{ what, addr, move string }
	wants := []want{
		{"the router", cfg.RouterAddr, "DIZHTIME_DEV_ROUTER_ADDR=127.0.0.1:<port>"},
		{"dizhtime dev's ops endpoint", cfg.HTTPAddr, "DIZHTIME_HTTP_ADDR=127.0.0.1:<port>"},
		{"embedded Redis", cfg.RedisAddr, "DIZHTIME_DEV_REDIS_ADDR=127.0.0.1:<port>"},
		{"embedded MongoDB-wire (FerretDB)", cfg.MongoAddr, "DIZHTIME_DEV_MONGO_ADDR=127.0.0.1:<port>"},
	}
	if cfg.KafkaPort != 0 {
		wants = append(wants, want{"embedded Kafka", net.JoinHostPort("127.0.0.1", strconv.Itoa(cfg.KafkaPort)), "DIZHTIME_DEV_KAFKA_PORT=<port>"})
	}
	sgFile := cfg.SupergraphFile
	if !filepath.IsAbs(sgFile) {
		sgFile = filepath.Join(cfg.RepoRoot, sgFile)
	}
	subgraphs, err := stack.ReadSupergraph(sgFile)
	if err != nil {
		return err
	}
	for _, sg := range subgraphs {
		addr, err := sg.Addr()
		if err != nil {
			return fmt.Errorf("subgraph %s: %w", sg.Name, err)
		}
		wants = append(wants, want{"subgraph " + sg.Name, addr, moveSubgraphs})
	}
	var errs []error
	for _, w := range wants {
		if err := stack.CheckAddr(w.what, w.addr, w.move); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("cannot start, %d port(s) taken (another `make run` still running? `make run` stops with Ctrl-C):\n  %w",
			len(errs), joinLines(errs))
	}
	return nil
}

func joinLines(errs []error) error {
	lines := make([]string, len(errs))
	for i, e := range errs {
		lines[i] = e.Error()
	}
	return errors.New(strings.Join(lines, "\n  "))
}

// checkBannerURLs asks the URLs the banner prints the way their users will: the explorer
// as a browser (Accept: text/html), the GraphQL endpoint with a POST, /healthz plainly.
// One that does not answer 200 is an error naming it.
func checkBannerURLs(ctx context.Context, routerAddr string) error {
	client := &http.Client{Timeout: 5 * time.Second}
	base := "http://" + routerAddr
	type probe struct {
		method, url, accept, body string
	}
	for _, p := range []probe{
		{http.MethodGet, base + "/", "text/html", ""},
		{http.MethodPost, base + "/graphql", "application/json", `{"query":"{ __typename }"}`},
		{http.MethodGet, base + "/healthz", "", ""},
	} {
		req, err := http.NewRequestWithContext(ctx, p.method, p.url, strings.NewReader(p.body))
		if err != nil {
			return err
		}
		if p.accept != "" {
			req.Header.Set("Accept", p.accept)
		}
		if p.body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		res, err := client.Do(req)
		if err != nil {
			return fmt.Errorf("the banner's %s %s does not answer: %w", p.method, p.url, err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		_ = res.Body.Close()
		if res.StatusCode != http.StatusOK {
			return fmt.Errorf("the banner's %s %s answers %s", p.method, p.url, res.Status)
		}
	}
	return nil
}

// routerAuthEnv points the router's token check at the JWKS of identity where this run's
// supergraph file puts it: deploy/local/router.yaml names identity's default port, which a
// supergraph file with moved ports (DIZHTIME_DEV_SUPERGRAPH_FILE) no longer serves. Nothing
// when the supergraph has no identity.
func routerAuthEnv(cfg devConfig) ([]string, error) {
	sgFile := cfg.SupergraphFile
	if !filepath.IsAbs(sgFile) {
		sgFile = filepath.Join(cfg.RepoRoot, sgFile)
	}
	subgraphs, err := stack.ReadSupergraph(sgFile)
	if err != nil {
		return nil, err
	}
	for _, sg := range subgraphs {
		if sg.Name != "identity" {
			continue
		}
		addr, err := sg.Addr()
		if err != nil {
			return nil, fmt.Errorf("subgraph identity: %w", err)
		}
		return []string{"DIZHTIME_ROUTER_AUTH_JWKS_URL=http://" + addr + "/.well-known/jwks.json"}, nil
	}
	return nil, nil
}
