// Command bench measures the router under load, every part in its own process: the
// four test subgraphs of the gateways-benchmark federation workload (accounts,
// inventory, products, reviews; router/internal/testsubgraphs), the real router binary,
// and a load generator. For each deduplication mode (a fresh router each) and each
// concurrency level it runs the gateways-benchmark's nested query in a closed loop and
// prints requests/s, p50/p99 latency, failed and differing responses (every body is
// compared with the first), the router's CPU milliseconds per request (from
// /proc/<pid>/stat), its peak RSS (VmHWM) and the load average.
//
//	go run ./bench                                  # dedup on and off, 50 and 500 clients, 15 s each
//	go run ./bench -clients 50 -duration 5s -dedup off
//	go run ./bench -cpuprofile /tmp/prof            # CPU profile of each mode at the first level
//	go run ./bench -routers old,new -repeat 3       # A/B: prebuilt binaries alternated in one window
//
// The same binary re-executes itself as a subgraph ("bench subgraph NAME") and as the
// load generator ("bench load ..."), so nothing but the router is built.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Query is the gateways-benchmark federation query (github.com/graphql-hive/
// graphql-gateways-benchmark, federation/scenarios/constant-vus-over-time), on this
// workload's schema: accounts has no users list, so `me` stands for `users`; inStock is
// asked of top products only (inventory needs the compound key upc+sku, and the engine
// does not plan the hop reviews -> products (sku) -> inventory for a review's product).
const Query = `fragment User on User { id username name }
fragment Review on Review { id body }
fragment Product on Product { name price shippingEstimate upc weight }
query TestQuery {
  me { ...User reviews { ...Review product { ...Product reviews { ...Review author { ...User reviews { ...Review product { ...Product } } } } } } }
  topProducts { ...Product inStock reviews { ...Review author { ...User reviews { ...Review product { ...Product } } } } }
}`

func main() {
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case "subgraph":
			if err := serveSubgraph(os.Args[2:]); err != nil {
				fmt.Fprintln(os.Stderr, "bench subgraph:", err)
				os.Exit(1)
			}
			return
		case "load":
			if err := loadCmd(os.Args[2:]); err != nil {
				fmt.Fprintln(os.Stderr, "bench load:", err)
				os.Exit(1)
			}
			return
		}
	}
	clients := flag.String("clients", "50,500", "comma-separated concurrency levels")
	duration := flag.Duration("duration", 15*time.Second, "how long each level is measured")
	warmup := flag.Duration("warmup", 3*time.Second, "load before each level that is not measured")
	dedup := flag.String("dedup", "on,off", "deduplication modes, each with a fresh router: on (inbound and subgraph fetches), off (both off), fetch (subgraph fetches only), default (config left alone)")
	profile := flag.String("cpuprofile", "", "directory for a CPU profile of each mode at the first level (router pprof on)")
	routers := flag.String("routers", "", "comma-separated prebuilt router binaries to alternate (A/B in one window; default: build ./cmd/router)")
	repeat := flag.Int("repeat", 1, "how many times the whole run (every router, mode and level) is repeated, alternating")
	previous := flag.String("previous", "README.md", "a README whose <!-- bench:last --> table holds the last figures to compare each level with (empty: no comparison)")
	flag.Parse()
	var prev previousTable
	if *previous != "" {
		var err error
		if prev, err = readPrevious(*previous); err != nil {
			fmt.Fprintln(os.Stderr, "bench: -previous:", err)
			os.Exit(2)
		}
	}
	if err := run(*clients, *dedup, *duration, *warmup, *profile, *routers, *repeat, prev); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(levels, modes string, duration, warmup time.Duration, profileDir, routers string, repeat int, prev previousTable) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "router-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	urls := map[string]string{}
	for _, name := range []string{"accounts", "inventory", "products", "reviews"} {
		p, addr, err := startProcess(exec.Command(self, "subgraph", name), "listening on ")
		if err != nil {
			return fmt.Errorf("subgraph %s: %w", name, err)
		}
		defer p.stop()
		urls[name] = "http://" + addr + "/query"
	}
	var bins []string
	if routers != "" {
		for _, b := range strings.Split(routers, ",") {
			bins = append(bins, strings.TrimSpace(b))
		}
	} else {
		bin := filepath.Join(dir, "router")
		build := exec.Command("go", "build", "-o", bin, "./cmd/router")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("build router: %w", err)
		}
		bins = append(bins, bin)
	}

	fmt.Printf("router benchmark: gateways-benchmark nested query over accounts, inventory, products, reviews\n")
	fmt.Printf("%d CPUs, %s per level after %s warm-up, loopback; subgraphs, router and load generator in separate processes; GOGC=%s GOMEMLIMIT=%s\n",
		numCPU(), duration, warmup, envOr("GOGC", "(router default)"), envOr("GOMEMLIMIT", "(router default)"))
	if prev.Caption != "" {
		fmt.Printf("compared with the README's last figures: %s\n", prev.Caption)
	}
	fmt.Println()
	fmt.Printf("%-7s %7s %9s %9s %9s %6s %6s %12s %9s %s\n", "dedup", "clients", "req/s", "p50", "p99", "failed", "differ", "CPU-ms/req", "max RSS", "load avg")
	for round := range repeat {
		for b, bin := range bins {
			prefix := ""
			if len(bins) > 1 || repeat > 1 {
				fmt.Printf("round %d, router %s\n", round+1, bins[b])
				prefix = fmt.Sprintf("r%d-b%d-", round+1, b+1)
			}
			if err := runModes(bin, dir, urls, self, levels, modes, duration, warmup, profileDir, prefix, prev); err != nil {
				return err
			}
		}
	}
	return nil
}

// runModes measures one router binary: a fresh router per dedup mode, every level.
func runModes(bin, dir string, urls map[string]string, self, levels, modes string, duration, warmup time.Duration, profileDir, profilePrefix string, prev previousTable) error {
	for _, mode := range strings.Split(modes, ",") {
		mode = strings.TrimSpace(mode)
		router, err := startRouter(bin, dir, urls, mode, profileDir != "")
		if err != nil {
			return err
		}
		for i, field := range strings.Split(levels, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(field))
			if err != nil || n <= 0 {
				router.stop()
				return fmt.Errorf("bad concurrency level %q", field)
			}
			if _, err := runLoad(self, router.url, n, warmup); err != nil {
				router.stop()
				return err
			}
			var prof chan error
			if profileDir != "" && i == 0 {
				prof = make(chan error, 1)
				go func() {
					prof <- takeProfile(router.base, duration, filepath.Join(profileDir, fmt.Sprintf("%scpu-dedup-%s-%d.pprof", profilePrefix, mode, n)))
				}()
			}
			cpu0 := router.cpuTicks()
			res, err := runLoad(self, router.url, n, duration)
			cpu1 := router.cpuTicks()
			if err != nil {
				router.stop()
				return err
			}
			cpuMs, cpu := "?", 0.0
			if cpu0 >= 0 && cpu1 >= 0 && res.OK > 0 {
				cpu = float64(cpu1-cpu0) * 1000 / float64(clockTicks) / float64(res.OK+res.Failed)
				cpuMs = fmt.Sprintf("%.3f", cpu)
			}
			fmt.Printf("%-7s %7d %9.0f %9s %9s %6d %6d %12s %9s %s\n", mode, n, res.RPS, res.P50, res.P99, res.Failed, res.Differing, cpuMs, router.maxRSS(), loadAvg())
			if c := prev.compare(mode, n, res.RPS, cpu); c != "" {
				fmt.Printf("        %s\n", c)
			}
			if res.FirstError != "" {
				fmt.Printf("        first failure: %s\n", res.FirstError)
			}
			if prof != nil {
				if err := <-prof; err != nil {
					fmt.Printf("        cpu profile: %v\n", err)
				}
			}
		}
		router.stop()
	}
	return nil
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// clockTicks is USER_HZ, the unit of utime and stime in /proc/<pid>/stat (100 on Linux).
const clockTicks = 100

type process struct {
	cmd  *exec.Cmd
	url  string
	base string
}

// startProcess starts cmd and waits for the stdout line starting with prefix; the rest
// of that line is returned.
func startProcess(cmd *exec.Cmd, prefix string) (*process, string, error) {
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, "", err
	}
	if err := cmd.Start(); err != nil {
		return nil, "", err
	}
	p := &process{cmd: cmd}
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), prefix) {
				lines <- strings.TrimPrefix(sc.Text(), prefix)
				break
			}
		}
		close(lines)
		_, _ = io.Copy(io.Discard, out)
	}()
	select {
	case rest, ok := <-lines:
		if !ok {
			p.stop()
			return nil, "", fmt.Errorf("%s exited before it was ready", cmd.Path)
		}
		return p, rest, nil
	case <-time.After(2 * time.Minute):
		p.stop()
		return nil, "", fmt.Errorf("%s was not ready within 2 minutes", cmd.Path)
	}
}

// startRouter starts the router binary on a free loopback port with the dedup mode.
func startRouter(bin, dir string, urls map[string]string, mode string, pprof bool) (*process, error) {
	sg := "subgraphs:\n"
	for _, name := range []string{"accounts", "inventory", "products", "reviews"} {
		sg += fmt.Sprintf("  - {name: %s, routing_url: %s}\n", name, urls[name])
	}
	cfg := "listen_addr: 127.0.0.1:0\nlog_level: warn\nhot_reload: {enabled: false}\nlimits: {max_concurrent_resolvers: 1024}\n"
	switch mode {
	case "on":
		cfg += "deduplication: {inbound: true, subgraph_fetches: true}\n"
	case "off":
		cfg += "deduplication: {inbound: false, subgraph_fetches: false}\n"
	case "fetch":
		cfg += "deduplication: {inbound: false, subgraph_fetches: true}\n"
	case "default":
	default:
		return nil, fmt.Errorf("unknown dedup mode %q (on, off, fetch, default)", mode)
	}
	if pprof {
		cfg += "pprof: true\n"
	}
	sgPath, cfgPath := filepath.Join(dir, "supergraph.yaml"), filepath.Join(dir, "router-"+mode+".yaml")
	if err := os.WriteFile(sgPath, []byte(sg), 0o644); err != nil {
		return nil, err
	}
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		return nil, err
	}
	p, url, err := startProcess(exec.Command(bin, "serve", "-config", cfgPath, "-supergraph", sgPath), "router listening on ")
	if err != nil {
		return nil, fmt.Errorf("router: %w", err)
	}
	p.url = url
	p.base = strings.TrimSuffix(url, "/graphql")
	return p, nil
}

func (p *process) stop() {
	_ = p.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { _ = p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-done
	}
}

// cpuTicks is the process's user + system CPU time in clock ticks (-1: unknown).
func (p *process) cpuTicks() int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.cmd.Process.Pid))
	if err != nil {
		return -1
	}
	// Fields after the command name (which may hold spaces) start after the last ')'.
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return -1
	}
	// f[0] is field 3 (state): utime is field 14, stime field 15.
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return -1
	}
	return ut + st
}

// maxRSS is the process's peak resident set size (VmHWM).
func (p *process) maxRSS() string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return "?"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.Atoi(f[1])
			return fmt.Sprintf("%.0fMiB", float64(kb)/1024)
		}
	}
	return "?"
}

func takeProfile(base string, d time.Duration, path string) error {
	secs := int((d - time.Second).Seconds())
	if secs < 1 {
		secs = 1
	}
	resp, err := http.Get(fmt.Sprintf("%s/debug/pprof/profile?seconds=%d", base, secs))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %s", resp.Status)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(f, resp.Body)
	return err
}

// runLoad runs the load generator as its own process and reads its result.
func runLoad(self, url string, clients int, d time.Duration) (loadResult, error) {
	cmd := exec.Command(self, "load", "-url", url, "-clients", strconv.Itoa(clients), "-duration", d.String())
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return loadResult{}, fmt.Errorf("load generator: %w", err)
	}
	var res loadResult
	if err := json.Unmarshal(out, &res); err != nil {
		return loadResult{}, fmt.Errorf("load generator output %q: %w", out, err)
	}
	return res, nil
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

func numCPU() int {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return 0
	}
	return strings.Count(string(b), "processor\t:")
}
