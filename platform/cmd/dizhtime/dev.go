package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/dizhtime/dizhtime/platform/config"
	"github.com/dizhtime/dizhtime/platform/devstack"
	"github.com/dizhtime/dizhtime/platform/lifecycle"
	"github.com/dizhtime/dizhtime/platform/logging"
	"github.com/dizhtime/dizhtime/platform/ops"
	"github.com/dizhtime/dizhtime/platform/postgres"
	"github.com/dizhtime/dizhtime/platform/telemetry"
)

// devConfig is `dizhtime dev`'s configuration. Embedded stores listen on ports of their own so
// a laptop run and the real services of `make test` can run side by side.
type devConfig struct {
	config.Base `yaml:",inline"`
	DataDir     string `yaml:"data_dir" env:"DEV_DATA_DIR"`
	PostgresURL string `yaml:"postgres_url" env:"POSTGRES_URL"`
	RedisAddr   string `yaml:"redis_addr" env:"DEV_REDIS_ADDR"`
	KafkaPort   int    `yaml:"kafka_port" env:"DEV_KAFKA_PORT"`
	MongoAddr   string `yaml:"mongo_addr" env:"DEV_MONGO_ADDR"`
	// RepoRoot is the repository checkout the processes are built from.
	RepoRoot string `yaml:"repo_root" env:"DEV_REPO_ROOT"`
	// SupergraphFile lists the subgraphs to run (name, routing_url) and compose.
	SupergraphFile string `yaml:"supergraph_file" env:"DEV_SUPERGRAPH_FILE"`
	RouterAddr     string `yaml:"router_addr" env:"DEV_ROUTER_ADDR"`
	// RouterConfig is the router's router.yaml (auth against identity's JWKS, explorer).
	RouterConfig string `yaml:"router_config" env:"DEV_ROUTER_CONFIG"`
}

func defaultDevConfig() devConfig {
	base := config.DefaultBase("dizhtime-dev")
	base.HTTPAddr = "127.0.0.1:4090"
	return devConfig{
		Base:           base,
		DataDir:        ".dizhtime/dev",
		PostgresURL:    "postgres://dizhtime:dizhtime@127.0.0.1:5432/dizhtime?sslmode=disable",
		RedisAddr:      "127.0.0.1:16379",
		KafkaPort:      19092,
		MongoAddr:      "127.0.0.1:37017",
		RepoRoot:       ".",
		SupergraphFile: "supergraph.yaml",
		RouterAddr:     "127.0.0.1:4000",
		RouterConfig:   "deploy/local/router.yaml",
	}
}

func (c devConfig) Validate() error {
	var errs []error
	if err := c.Base.Validate(); err != nil {
		errs = append(errs, err)
	}
	if strings.TrimSpace(c.DataDir) == "" {
		errs = append(errs, config.Invalid("data_dir", "must not be empty"))
	}
	if !strings.HasPrefix(c.PostgresURL, "postgres://") && !strings.HasPrefix(c.PostgresURL, "postgresql://") {
		errs = append(errs, config.Invalid("postgres_url", "must be a postgres:// URL"))
	}
	for key, addr := range map[string]string{"redis_addr": c.RedisAddr, "mongo_addr": c.MongoAddr, "router_addr": c.RouterAddr} {
		if _, _, err := net.SplitHostPort(addr); err != nil {
			errs = append(errs, config.Invalid(key, "must be host:port, got %q", addr))
		}
	}
	if c.KafkaPort < 0 || c.KafkaPort > 65535 {
		errs = append(errs, config.Invalid("kafka_port", "must be a TCP port, got %d", c.KafkaPort))
	}
	return errors.Join(errs...)
}

func dev(ctx context.Context, cfgPath string, stdout, stderr io.Writer) error {
	cfg := defaultDevConfig()
	if err := config.Load("dizhtime-dev", cfgPath, &cfg); err != nil {
		return err
	}
	logger := logging.New(cfg.Service, cfg.Level(), stderr)
	tel, err := telemetry.Setup(ctx, cfg.Service, cfg.Telemetry)
	if err != nil {
		return err
	}
	defer func() {
		shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = tel.Shutdown(shutdownCtx)
	}()

	stack, err := devstack.Start(ctx, devstack.Options{
		DataDir: cfg.DataDir, PostgresURL: cfg.PostgresURL,
		RedisAddr: cfg.RedisAddr, KafkaPort: cfg.KafkaPort, MongoAddr: cfg.MongoAddr,
	})
	if err != nil {
		return err
	}
	defer stack.Close()

	procs, err := startProcesses(ctx, cfg, stack.Endpoints)
	if err != nil {
		return err
	}

	ready := ops.NewReadiness(2 * time.Second)
	for name, check := range stack.Checks() {
		ready.Add(name, check)
	}
	mux := http.NewServeMux()
	ops.Mount(mux, tel.Registry, ready)
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		killAll(procs)
		return fmt.Errorf("listen %s: %w", cfg.HTTPAddr, err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}

	components := []lifecycle.Component{lifecycle.HTTPServerOn("ops", srv, ln, cfg.ShutdownTimeout)}
	names := make([]string, 0, len(procs))
	for _, p := range procs {
		components = append(components, p)
		names = append(names, p.name)
	}
	printBanner(stdout, "http://"+ln.Addr().String(), cfg, names, stack.Endpoints)
	return lifecycle.Run(ctx, logger, cfg.ShutdownTimeout, components...)
}

// startProcesses builds and starts every subgraph named in supergraph.yaml, waits for each to be
// ready, then starts the router over them. On error it stops what it started.
func startProcesses(ctx context.Context, cfg devConfig, e devstack.Endpoints) (procs []*child, err error) {
	subgraphs, err := readSubgraphs(filepath.Join(cfg.RepoRoot, cfg.SupergraphFile))
	if err != nil {
		return nil, err
	}
	if len(subgraphs) == 0 {
		return nil, nil
	}
	defer func() {
		if err != nil {
			killAll(procs)
		}
	}()
	binDir, err := filepath.Abs(filepath.Join(cfg.DataDir, "bin"))
	if err != nil {
		return nil, err
	}
	logDir := filepath.Join(cfg.DataDir, "logs")
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		return nil, err
	}
	if err := buildBinaries(ctx, cfg.RepoRoot, binDir, subgraphs); err != nil {
		return nil, err
	}
	searchDir, _ := filepath.Abs(e.SearchDir)
	storeEnv := []string{
		"DIZHTIME_REDIS_ADDR=" + e.RedisAddr,
		"DIZHTIME_KAFKA_BROKERS=" + strings.Join(e.KafkaBrokers, ","),
		"DIZHTIME_MONGO_URI=" + e.MongoURI,
		"DIZHTIME_SEARCH_INDEX_BACKEND=bleve",
		"DIZHTIME_SEARCH_BLEVE_DIR=" + searchDir,
		"DIZHTIME_LOG_LEVEL=" + cfg.LogLevel,
		// The laptop run shows a living city: restaurants seeds its demo city (idempotent).
		"DIZHTIME_RESTAURANTS_SEED_DEMO_CITY=true",
	}
	for _, s := range subgraphs {
		addr, err := listenAddr(s.RoutingURL)
		if err != nil {
			return procs, fmt.Errorf("subgraph %s: %w", s.Name, err)
		}
		if err := freeAddr(addr); err != nil {
			return procs, fmt.Errorf("subgraph %s: %s is taken: %w", s.Name, addr, err)
		}
		// Each subgraph owns its datastore: on the laptop, a database of its own on one server.
		pgURL, err := postgres.EnsureDatabase(ctx, e.PostgresURL, "dizhtime_"+s.Name)
		if err != nil {
			return procs, fmt.Errorf("subgraph %s: %w", s.Name, err)
		}
		p := &child{
			name: s.Name, path: filepath.Join(binDir, s.Name), args: []string{"serve"},
			env: append([]string{"DIZHTIME_SERVICE=" + s.Name, "DIZHTIME_HTTP_ADDR=" + addr,
				"DIZHTIME_POSTGRES_URL=" + pgURL}, storeEnv...),
			logPath:  filepath.Join(logDir, s.Name+".log"),
			readyURL: "http://" + addr + "/readyz",
		}
		if err := p.start(); err != nil {
			return procs, err
		}
		procs = append(procs, p)
	}
	for _, p := range procs {
		if err := p.waitReady(ctx, 90*time.Second); err != nil {
			return procs, err
		}
	}
	supergraph, err := filepath.Abs(filepath.Join(cfg.RepoRoot, cfg.SupergraphFile))
	if err != nil {
		return procs, err
	}
	routerConfig, err := filepath.Abs(filepath.Join(cfg.RepoRoot, cfg.RouterConfig))
	if err != nil {
		return procs, err
	}
	router := &child{
		name: "router", path: filepath.Join(binDir, "router"),
		args:     []string{"serve", "-config", routerConfig, "-supergraph", supergraph},
		env:      []string{"DIZHTIME_ROUTER_LISTEN_ADDR=" + cfg.RouterAddr, "DIZHTIME_LOG_LEVEL=" + cfg.LogLevel},
		logPath:  filepath.Join(logDir, "router.log"),
		readyURL: "http://" + cfg.RouterAddr + "/healthz",
	}
	if err := router.start(); err != nil {
		return procs, err
	}
	procs = append(procs, router)
	return procs, router.waitReady(ctx, 90*time.Second)
}

func killAll(procs []*child) {
	for _, p := range procs {
		p.kill()
	}
}

func printBanner(w io.Writer, opsURL string, cfg devConfig, procs []string, e devstack.Endpoints) {
	if len(procs) > 0 {
		fmt.Fprintf(w, "\nDizhTime is up. Explorer: http://%s/  (GraphQL endpoint http://%s/graphql)\n", cfg.RouterAddr, cfg.RouterAddr)
		fmt.Fprintf(w, "  processes  %s  (logs in %s)\n", strings.Join(procs, ", "), filepath.Join(cfg.DataDir, "logs"))
	} else {
		fmt.Fprintf(w, "\nDizhTime dev is up, with no subgraphs yet (%s lists none).\n", cfg.SupergraphFile)
	}
	fmt.Fprintf(w, `Ctrl-C stops everything.

  ops        %[1]s/healthz  %[1]s/readyz  %[1]s/metrics
  postgres   %[2]s   (real server from deploy/local/services.sh)
  redis      %[3]s   (embedded miniredis)
  kafka      %[4]s   (embedded kfake)
  mongodb    %[5]s   (embedded FerretDB on SQLite)
  search     %[6]s   (embedded Bleve indexes)
`, opsURL, e.PostgresURL, e.RedisAddr, strings.Join(e.KafkaBrokers, ","), e.MongoURI, e.SearchDir)
}
