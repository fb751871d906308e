package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/dizhtime/dizhtime/platform/city"
	"github.com/dizhtime/dizhtime/platform/config"
	"github.com/dizhtime/dizhtime/platform/devstack"
	"github.com/dizhtime/dizhtime/platform/lifecycle"
	"github.com/dizhtime/dizhtime/platform/logging"
	"github.com/dizhtime/dizhtime/platform/ops"
	"github.com/dizhtime/dizhtime/platform/stack"
	"github.com/dizhtime/dizhtime/platform/telemetry"
	"github.com/dizhtime/dizhtime/subgraphs/restaurants/seed"
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
	// Sim runs a gentle simulated city in the background (`make run SIM=1`).
	Sim bool `yaml:"sim" env:"DEV_SIM"`
	// MailpitURL is the web UI of the Mailpit the notifications subgraph sends email to
	// (run.sh starts it), shown in the banner.
	MailpitURL string `yaml:"mailpit_url" env:"DEV_MAILPIT_URL"`
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

func dev(ctx context.Context, cfgPath string, sim bool, stdout, stderr io.Writer) error {
	cfg := defaultDevConfig()
	if err := config.Load("dizhtime-dev", cfgPath, &cfg); err != nil {
		return err
	}
	cfg.Sim = cfg.Sim || sim
	// Ctrl-C (or SIGTERM) stops a start too, not only a running stack: run.sh starts this
	// process in the background, where SIGINT is ignored until someone asks for it, and the
	// start can take minutes (a first build's stores, the demo logins' retries). Every step
	// below stops with ctx and kills what it started.
	ctx, stopSignals := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stopSignals()
	// Each step of the start says when it happened (since `make run` began).
	progress := newElapsedWriter(stderr)
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

	// Every port this run listens on, checked before anything starts: a taken one is named
	// with its holder and the variable that moves it, all at once.
	if err := checkPorts(cfg); err != nil {
		return err
	}
	// The processes run from this binary (`dizhtime identity serve`, ...): nothing to build.
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find the dizhtime binary: %w", err)
	}

	stores, err := devstack.Start(ctx, devstack.Options{
		DataDir: cfg.DataDir, PostgresURL: cfg.PostgresURL,
		RedisAddr: cfg.RedisAddr, KafkaPort: cfg.KafkaPort, MongoAddr: cfg.MongoAddr,
	})
	if err != nil {
		return err
	}
	defer stores.Close()
	fmt.Fprintf(progress, "[dev] embedded stores up: Redis %s, Kafka %s, MongoDB-wire %s\n",
		stores.Endpoints.RedisAddr, strings.Join(stores.Endpoints.KafkaBrokers, ","), stores.Endpoints.MongoURI)

	authEnv, err := routerAuthEnv(cfg)
	if err != nil {
		return err
	}
	searchDir, _ := filepath.Abs(stores.Endpoints.SearchDir)
	analyticsDB, _ := filepath.Abs(filepath.Join(cfg.DataDir, "analytics", "analytics.duckdb"))
	procs, err := stack.Start(ctx, stack.Options{
		RepoRoot: cfg.RepoRoot, SupergraphFile: cfg.SupergraphFile,
		RouterConfig: cfg.RouterConfig, RouterAddr: cfg.RouterAddr,
		WorkDir: cfg.DataDir, PostgresURL: stores.Endpoints.PostgresURL,
		Binary: self, Progress: progress,
		// A loaded laptop can take a while (restaurants seeds the demo city, retrying).
		ReadyTimeout:  3 * time.Minute,
		MoveRouter:    "DIZHTIME_DEV_ROUTER_ADDR=127.0.0.1:<port>",
		MoveSubgraphs: moveSubgraphs,
		Env: []string{
			"DIZHTIME_REDIS_ADDR=" + stores.Endpoints.RedisAddr,
			"DIZHTIME_KAFKA_BROKERS=" + strings.Join(stores.Endpoints.KafkaBrokers, ","),
			"DIZHTIME_MONGO_URI=" + stores.Endpoints.MongoURI,
			"DIZHTIME_SEARCH_INDEX_BACKEND=bleve",
			"DIZHTIME_SEARCH_BLEVE_DIR=" + searchDir,
			// Analytics on the embedded engine (DuckDB), in a file under the run's data dir.
			"DIZHTIME_ANALYTICS_STORE_BACKEND=duckdb",
			"DIZHTIME_ANALYTICS_DUCKDB_PATH=" + analyticsDB,
			"DIZHTIME_LOG_LEVEL=" + cfg.LogLevel,
			// The laptop run shows a living city: restaurants seeds its demo city (idempotent).
			"DIZHTIME_RESTAURANTS_SEED_DEMO_CITY=true",
		},
		RouterEnv: append([]string{"DIZHTIME_LOG_LEVEL=" + cfg.LogLevel}, authEnv...),
	})
	if err != nil {
		return err
	}

	ready := ops.NewReadiness(2 * time.Second)
	for name, check := range stores.Checks() {
		ready.Add(name, check)
	}
	mux := http.NewServeMux()
	ops.Mount(mux, tel.Registry, ready)
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		procs.Kill()
		return fmt.Errorf("listen %s: %w", cfg.HTTPAddr, err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}

	components := append([]lifecycle.Component{lifecycle.HTTPServerOn("ops", srv, ln, cfg.ShutdownTimeout)}, procs.Components()...)
	names := procs.Names()
	opsURL := "http://" + ln.Addr().String()
	if len(names) > 0 {
		// The banner's URLs answer: checked as a browser and curl would ask them.
		if err := checkBannerURLs(ctx, cfg.RouterAddr); err != nil {
			procs.Kill()
			return err
		}
		fmt.Fprintf(progress, "[dev] the banner's URLs answer\n")
	}
	// The banner as soon as the API answers; the demo logins follow it (they take a few
	// password checks and identity commands, and on a busy laptop a retry or two).
	printBanner(stdout, opsURL, cfg, names, stores.Endpoints)
	var logins []city.DemoLogin
	if procs.RouterURL != "" && procs.DatabaseURL("identity") != "" {
		fmt.Fprintf(progress, "[dev] signing the demo accounts in (their tokens follow)\n")
		// Every step of the demo logins is idempotent: a timed-out attempt is simply tried again.
		logins, err = retrying(ctx, "demo logins", progress, devBackOff(), demoLoginsPatience, demoLoginsAttempt,
			func(ctx context.Context) ([]city.DemoLogin, error) {
				return city.DemoLogins(ctx, city.NewClient(procs.RouterURL), city.GrantAdminWith(procs), city.EnsureDemoOwnersWith(procs),
					city.WithKnownOwnership(demoOwnerGrants()))
			})
		switch {
		case err != nil && ctx.Err() != nil:
			// Ctrl-C while signing in: lifecycle.Run below stops everything.
		case err != nil && cfg.Sim:
			// The simulated city plays its admin: without the logins it cannot run.
			procs.Kill()
			return err
		case err != nil:
			fmt.Fprintf(stderr, "dizhtime: %v\nThe API runs without the demo logins: register an account with the register mutation, or stop and start make run again.\n", err)
		default:
			fmt.Fprintf(progress, "[dev] demo logins ready (%d accounts)\n", len(logins))
			if cfg.Sim {
				components = append(components, simComponent(procs.RouterURL, logins, logger))
			}
		}
	}
	printLogins(stdout, logins, cfg.Sim)
	return lifecycle.Run(ctx, logger, cfg.ShutdownTimeout, components...)
}

func printBanner(w io.Writer, opsURL string, cfg devConfig, procs []string, e devstack.Endpoints) {
	if len(procs) > 0 {
		fmt.Fprintf(w, `
DizhTime is up: the demo city of %[3]s (restaurants, couriers and customers of %[3]s).
  Explorer   http://%[1]s/   (GraphiQL: open it in a browser)
  GraphQL    http://%[1]s/graphql   (POST; try: curl -s http://%[1]s/graphql -H 'content-type: application/json' -d '{"query":"{ __typename }"}')
  health     http://%[1]s/healthz
  processes  %[2]s  (logs in %[4]s, the previous run's as *.log.1)
`, cfg.RouterAddr, strings.Join(procs, ", "), demoCity(), filepath.Join(cfg.DataDir, "logs"))
	} else {
		fmt.Fprintf(w, "\nDizhTime dev is up, with no subgraphs yet (%s lists none).\n", cfg.SupergraphFile)
	}
	fmt.Fprintf(w, `Ctrl-C stops everything.

  ops        %[1]s/healthz  %[1]s/readyz  %[1]s/metrics
  postgres   %[2]s   (real server from deploy/local/services.sh)
  redis      %[3]s   (embedded miniredis)
  kafka      %[4]s   (embedded kfake)
  mongodb    %[5]s   (embedded FerretDB, its data in PostgreSQL)
  search     %[6]s   (embedded Bleve indexes)
`, opsURL, e.PostgresURL, e.RedisAddr, strings.Join(e.KafkaBrokers, ","), e.MongoURI, e.SearchDir)
	if cfg.MailpitURL != "" {
		fmt.Fprintf(w, "  mailpit    %s   (the email notifications sends; its SMS and push: notifications' /sandbox/sent)\n", cfg.MailpitURL)
	}
}

// simComponent runs the gentle background city of `make run SIM=1` as the demo admin.
func simComponent(routerURL string, logins []city.DemoLogin, logger *slog.Logger) lifecycle.Component {
	return lifecycle.Func("sim", func(ctx context.Context) error {
		var admin *city.Session
		for _, l := range logins {
			if l.Role == "ADMIN" {
				admin = l.Session
			}
		}
		cfg := city.DefaultSimConfig()
		sim, err := city.NewSim(cfg, city.NewClient(routerURL), admin, logger.With("component", "sim"))
		if err != nil {
			return err
		}
		// A failing simulation is logged, never a reason to stop the laptop run.
		if err := sim.Run(ctx); err != nil && ctx.Err() == nil {
			logger.Warn("sim stopped", "err", err)
		}
		<-ctx.Done()
		return nil
	})
}

func printLogins(w io.Writer, logins []city.DemoLogin, sim bool) {
	if len(logins) == 0 {
		return
	}
	fmt.Fprintf(w, "\nDemo logins (password %q; tokens last 15 minutes: the login mutation makes new ones).\n", city.DemoPassword)
	fmt.Fprintf(w, "Paste a token into the explorer's headers as {\"Authorization\": \"Bearer <token>\"}.\n")
	for _, l := range logins {
		fmt.Fprintf(w, "\n  %-17s %s  (user %s)\n  Bearer %s\n", l.Role, l.Session.Email, l.Session.UserID, l.Session.Token)
	}
	if sim {
		fmt.Fprintln(w, "\nThe simulated city is running: subscribe to driversInArea as the admin to watch it move.")
	} else {
		fmt.Fprintln(w, "\nLive city: `make run SIM=1`, or `make sim` in another terminal beside this run.")
	}
}

// demoCity is the city restaurants seeds for the laptop run (its seed's default).
func demoCity() string { return seed.DefaultConfig().City }

// demoOwnerGrants are the seeded city's restaurants and their roster owners, generated as
// restaurants seeds them (seed.Generate is deterministic): the demo logins grant them without
// listing 300 restaurants through the router from the embedded FerretDB, which on a busy
// laptop timed out (SUBGRAPH_TIMEOUT).
func demoOwnerGrants() []city.OwnerGrant {
	gen := seed.Generate(seed.DefaultConfig())
	grants := make([]city.OwnerGrant, len(gen))
	for i, g := range gen {
		grants[i] = city.OwnerGrant{RestaurantID: g.ID, OwnerID: g.OwnerID}
	}
	return grants
}
