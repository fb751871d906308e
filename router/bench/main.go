// Command bench measures the router under load: it starts the three test subgraphs
// on loopback, builds and starts the router binary as a real process in front of them,
// and runs a fixed nested query over all three subgraphs at each concurrency level
// for a fixed time, printing requests/s, p50/p95/p99 latency, errors and the router
// process's max RSS.
//
//	go run ./bench                      # 50 and 500 clients, 15 s each
//	go run ./bench -clients 50 -duration 5s
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/dizhtime/dizhtime/router/internal/testsubgraphs/accounts"
	"github.com/dizhtime/dizhtime/router/internal/testsubgraphs/products"
	"github.com/dizhtime/dizhtime/router/internal/testsubgraphs/reviews"
)

// Query spans all three subgraphs: products -> reviews -> accounts.
const Query = `query Bench { topProducts(first: 5) { upc name price reviews { body author { name username } } } }`

func main() {
	clients := flag.String("clients", "50,500", "comma-separated concurrency levels")
	duration := flag.Duration("duration", 15*time.Second, "how long each level runs")
	warmup := flag.Duration("warmup", 2*time.Second, "load before each level that is not measured")
	flag.Parse()
	if err := run(*clients, *duration, *warmup); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(levels string, duration, warmup time.Duration) error {
	dir, err := os.MkdirTemp("", "router-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	urls := map[string]string{}
	for name, h := range map[string]http.Handler{"accounts": accounts.NewHandler(), "products": products.NewHandler(), "reviews": reviews.New()} {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		srv := &http.Server{Handler: h}
		go func() { _ = srv.Serve(ln) }()
		defer srv.Close()
		urls[name] = "http://" + ln.Addr().String() + "/query"
	}

	router, err := startRouter(dir, urls)
	if err != nil {
		return err
	}
	defer router.stop()

	fmt.Printf("router benchmark: %s\n%d CPUs, %s per level (after %s warm-up), loopback\n\n", Query, numCPU(), duration, warmup)
	fmt.Printf("%8s %10s %9s %9s %9s %8s %10s\n", "clients", "req/s", "p50", "p95", "p99", "errors", "router RSS")
	for _, field := range strings.Split(levels, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(field))
		if err != nil || n <= 0 {
			return fmt.Errorf("bad concurrency level %q", field)
		}
		load(router.url, n, warmup)
		res := load(router.url, n, duration)
		fmt.Printf("%8d %10.0f %9s %9s %9s %8d %10s\n", n, res.rate(), res.percentile(50), res.percentile(95), res.percentile(99), res.errors, router.maxRSS())
		if res.firstError != "" {
			fmt.Printf("         first error: %s\n", res.firstError)
		}
	}
	return nil
}

type routerProcess struct {
	cmd *exec.Cmd
	url string
}

// startRouter builds the router binary and starts it on a free loopback port.
func startRouter(dir string, urls map[string]string) (*routerProcess, error) {
	bin := filepath.Join(dir, "router")
	build := exec.Command("go", "build", "-o", bin, "./cmd/router")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return nil, fmt.Errorf("build router: %w", err)
	}
	sg := fmt.Sprintf("subgraphs:\n  - {name: accounts, routing_url: %s}\n  - {name: products, routing_url: %s}\n  - {name: reviews, routing_url: %s}\n",
		urls["accounts"], urls["products"], urls["reviews"])
	cfg := "listen_addr: 127.0.0.1:0\nlog_level: warn\nhot_reload: {enabled: false}\nlimits: {max_concurrent_resolvers: 1024}\n"
	sgPath, cfgPath := filepath.Join(dir, "supergraph.yaml"), filepath.Join(dir, "router.yaml")
	if err := os.WriteFile(sgPath, []byte(sg), 0o644); err != nil {
		return nil, err
	}
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "serve", "-config", cfgPath, "-supergraph", sgPath)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &routerProcess{cmd: cmd}
	lines := make(chan string)
	go func() {
		buf := make([]byte, 4096)
		var acc []byte
		for {
			n, err := out.Read(buf)
			acc = append(acc, buf[:n]...)
			if i := bytes.IndexByte(acc, '\n'); i >= 0 {
				lines <- string(acc[:i])
				acc = acc[i+1:]
			}
			if err != nil {
				close(lines)
				_, _ = io.Copy(io.Discard, out)
				return
			}
		}
	}()
	select {
	case line, ok := <-lines:
		if !ok || !strings.HasPrefix(line, "router listening on ") {
			p.stop()
			return nil, fmt.Errorf("router did not start: %q", line)
		}
		p.url = strings.TrimPrefix(line, "router listening on ")
	case <-time.After(60 * time.Second):
		p.stop()
		return nil, fmt.Errorf("router did not start within a minute")
	}
	return p, nil
}

func (p *routerProcess) stop() {
	_ = p.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { _ = p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
	}
}

// maxRSS is the router process's peak resident set size (VmHWM).
func (p *routerProcess) maxRSS() string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return "?"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.Atoi(f[1])
			return fmt.Sprintf("%.0f MiB", float64(kb)/1024)
		}
	}
	return "?"
}

func numCPU() int {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return 0
	}
	return strings.Count(string(b), "processor\t:")
}
