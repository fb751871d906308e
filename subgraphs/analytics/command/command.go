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
	"github.com/dizhtime/dizhtime/platform/telemetry"
	"github.com/dizhtime/dizhtime/subgraphs/analytics/service"
)

// Main is the analytics process: what cmd/analytics runs, and what `dizhtime analytics` runs in the laptop launcher.
// It reads os.Args (os.Args[0] is the program, the rest its command line) and exits.
func Main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "analytics:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		if args[0] != "serve" {
			return fmt.Errorf("unknown command %q: want serve", args[0])
		}
		args = args[1:]
	}
	fs := flag.NewFlagSet("analytics", flag.ContinueOnError)
	path := fs.String("config", "", "YAML config file (optional)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg := service.DefaultConfig()
	if err := config.Load("analytics", *path, &cfg); err != nil {
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
	svc, err := service.New(ctx, cfg, nil, tel.Registry, logger)
	if err != nil {
		return err
	}
	defer svc.Close()

	ready := ops.NewReadiness(2 * time.Second)
	ready.Add("kafka", kafka.Check(cfg.KafkaBrokers))
	ready.Add("store", svc.Store.Ping)
	metrics, err := ops.NewHTTPMetrics(tel.Registry)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	ops.Mount(mux, tel.Registry, ready)
	mux.Handle("/", metrics.Wrap("analytics", svc.Handler))
	srv := &http.Server{Addr: cfg.HTTPAddr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	graphqlserver.ServeHTTP2(srv) // the router's subscriptions: SSE streams on HTTP/2
	logger.Info("analytics listening", "addr", cfg.HTTPAddr, "backend", cfg.StoreBackend)
	err = lifecycle.Run(ctx, logger, cfg.ShutdownTimeout,
		lifecycle.HTTPServer("http", srv, cfg.ShutdownTimeout),
		lifecycle.Func("ingestion", svc.RunConsumer))
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}
