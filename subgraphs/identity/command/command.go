package command

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/dizhtime/dizhtime/platform/config"
	"github.com/dizhtime/dizhtime/platform/demo"
	"github.com/dizhtime/dizhtime/platform/lifecycle"
	"github.com/dizhtime/dizhtime/platform/logging"
	"github.com/dizhtime/dizhtime/platform/ops"
	"github.com/dizhtime/dizhtime/platform/postgres"
	"github.com/dizhtime/dizhtime/platform/redisdb"
	"github.com/dizhtime/dizhtime/platform/telemetry"
	"github.com/dizhtime/dizhtime/subgraphs/identity/app"
	"github.com/dizhtime/dizhtime/subgraphs/identity/service"
)

// Main is the identity process: what cmd/identity runs, and what `dizhtime identity` runs in the laptop launcher.
// It reads os.Args (os.Args[0] is the program, the rest its command line) and exits.
func Main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "identity:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	command := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		command, args = args[0], args[1:]
	}
	fs := flag.NewFlagSet("identity "+command, flag.ContinueOnError)
	path := fs.String("config", "", "YAML config file (optional)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch command {
	case "serve", "rotate-key", "demo-owners":
		if fs.NArg() != 0 {
			return fmt.Errorf("%s takes no arguments, got %q", command, fs.Args())
		}
	case "grant-role":
		if fs.NArg() != 2 {
			return errors.New("usage: identity grant-role [-config FILE] EMAIL ROLE")
		}
	default:
		return fmt.Errorf("unknown command %q (serve, rotate-key, grant-role, demo-owners)", command)
	}
	cfg := service.DefaultConfig()
	if err := config.Load("identity", *path, &cfg); err != nil {
		return err
	}
	logger := logging.New(cfg.Service, cfg.Level(), os.Stdout)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	tel, err := telemetry.Setup(ctx, cfg.Service, cfg.Telemetry)
	if err != nil {
		return err
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = tel.Shutdown(sctx)
	}()
	pool, err := postgres.Open(ctx, cfg.PostgresURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	rdb, err := redisdb.Connect(ctx, cfg.RedisAddr)
	if err != nil {
		return err
	}
	defer rdb.Close()

	svc, err := service.New(ctx, cfg, pool, rdb, logger)
	if err != nil {
		return err
	}
	if command == "grant-role" {
		u, err := svc.App.GrantRoleAsOperator(ctx, fs.Arg(0), fs.Arg(1))
		if err != nil {
			return fmt.Errorf("grant-role: %w", err)
		}
		fmt.Printf("user %s (%s) now has roles %v\n", u.ID, fs.Arg(0), u.Roles)
		return nil
	}
	if command == "demo-owners" {
		return ensureDemoOwners(ctx, svc)
	}
	if command == "rotate-key" {
		kid, err := svc.App.RotateSigningKey(ctx)
		if err != nil {
			return err
		}
		fmt.Println("new signing key:", kid)
		return nil
	}

	ready := ops.NewReadiness(2 * time.Second)
	ready.Add("postgres", postgres.Check(pool))
	ready.Add("redis", redisdb.Check(rdb))
	metrics, err := ops.NewHTTPMetrics(tel.Registry)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	ops.Mount(mux, tel.Registry, ready)
	mux.Handle("/", metrics.Wrap("identity", svc.Handler))
	srv := &http.Server{Addr: cfg.HTTPAddr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	logger.Info("identity listening", "addr", cfg.HTTPAddr)
	// Signing keys rotate themselves: the next one is published ahead of its turn.
	rotation := lifecycle.Func("signing key rotation", func(ctx context.Context) error {
		return svc.App.RunKeyRotation(ctx, func(err error) { logger.Error("signing key rotation", "error", err) })
	})
	err = lifecycle.Run(ctx, logger, cfg.ShutdownTimeout, lifecycle.HTTPServer("http", srv, cfg.ShutdownTimeout), rotation)
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// ensureDemoOwners makes the demo roster's restaurant owners (platform/demo: the owners the
// demo city's seeded restaurants name) real RESTAURANT_OWNER accounts with the demo
// password; running it again makes nothing. Their owner tuples are written per restaurant
// by an ADMIN (grantRelation), as for any restaurant.
func ensureDemoOwners(ctx context.Context, svc *service.Service) error {
	created := 0
	owners := demo.Owners()
	for _, o := range owners {
		_, made, err := svc.App.EnsureAccountAsOperator(ctx, app.OperatorAccount{
			ID: o.ID, Email: o.Email, Name: o.Name, Password: demo.Password, Roles: []string{"RESTAURANT_OWNER"}})
		if err != nil {
			return fmt.Errorf("demo owner %s: %w", o.Email, err)
		}
		if made {
			created++
		}
	}
	fmt.Printf("demo owners: %d created, %d already there\n", created, len(owners)-created)
	return nil
}
