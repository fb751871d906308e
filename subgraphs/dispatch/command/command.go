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

	"github.com/dizhtime/dizhtime/events/kafka"
	"github.com/dizhtime/dizhtime/platform/config"
	"github.com/dizhtime/dizhtime/platform/graphqlserver"
	"github.com/dizhtime/dizhtime/platform/lifecycle"
	"github.com/dizhtime/dizhtime/platform/logging"
	"github.com/dizhtime/dizhtime/platform/ops"
	"github.com/dizhtime/dizhtime/platform/postgres"
	"github.com/dizhtime/dizhtime/platform/redisdb"
	"github.com/dizhtime/dizhtime/platform/telemetry"
	"github.com/dizhtime/dizhtime/subgraphs/dispatch/service"
)

// Main is the dispatch process: what cmd/dispatch runs, and what `dizhtime dispatch` runs in the laptop launcher.
// It reads os.Args (os.Args[0] is the program, the rest its command line) and exits.
func Main() {
	if err := Run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "dispatch:", err)
		os.Exit(1)
	}
}

// Run runs one command (serve by default) with args, the command line after the program name.
func Run(args []string) error {
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		if args[0] != "serve" {
			return fmt.Errorf("unknown command %q (want: dispatch serve [-config dispatch.yaml])", args[0])
		}
		args = args[1:]
	}
	fs := flag.NewFlagSet("dispatch serve", flag.ContinueOnError)
	path := fs.String("config", "", "YAML config file (optional)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg := service.DefaultConfig()
	if err := config.Load("dispatch", *path, &cfg); err != nil {
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
	producer := kafka.NewProducer(cfg.KafkaBrokers)
	defer producer.Close()

	svc, err := service.New(ctx, cfg, pool, rdb, logger, service.WithMetrics(tel.Registry))
	if err != nil {
		return err
	}
	live, err := svc.LiveComponents(ctx)
	if err != nil {
		return err
	}
	loops, err := svc.Components(ctx, producer)
	if err != nil {
		return err
	}
	loops = append(live, loops...)
	ready := ops.NewReadiness(2 * time.Second)
	ready.Add("postgres", postgres.Check(pool))
	ready.Add("redis", redisdb.Check(rdb))
	ready.Add("kafka", kafka.Check(cfg.KafkaBrokers))
	ready.Add("live index", svc.LiveIndexReady)
	metrics, err := ops.NewHTTPMetrics(tel.Registry)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	ops.Mount(mux, tel.Registry, ready)
	mux.Handle("/", metrics.Wrap("dispatch", svc.Handler))
	srv := &http.Server{Addr: cfg.HTTPAddr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	graphqlserver.ServeHTTP2(srv) // the router's subscriptions: SSE streams on HTTP/2
	logger.Info("dispatch listening", "addr", cfg.HTTPAddr)
	components := append([]lifecycle.Component{lifecycle.HTTPServer("http", srv, cfg.ShutdownTimeout)}, loops...)
	err = lifecycle.Run(ctx, logger, cfg.ShutdownTimeout, components...)
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}
