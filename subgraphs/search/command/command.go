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
	"github.com/dizhtime/dizhtime/platform/lifecycle"
	"github.com/dizhtime/dizhtime/platform/logging"
	"github.com/dizhtime/dizhtime/platform/ops"
	"github.com/dizhtime/dizhtime/platform/telemetry"
	"github.com/dizhtime/dizhtime/subgraphs/search/service"
)

// Main is the search process: what cmd/search runs, and what `dizhtime search` runs in the laptop launcher.
// It reads os.Args (os.Args[0] is the program, the rest its command line) and exits.
func Main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "search:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	if cmd != "serve" && cmd != "rebuild" {
		return fmt.Errorf("unknown command %q: want serve or rebuild", cmd)
	}
	rebuild := cmd == "rebuild"
	fs := flag.NewFlagSet("search", flag.ContinueOnError)
	path := fs.String("config", "", "YAML config file (optional)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg := service.DefaultConfig()
	if err := config.Load("search", *path, &cfg); err != nil {
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
	svc, err := service.New(ctx, cfg, tel.Registry, logger)
	if err != nil {
		return err
	}
	defer svc.Close()
	if rebuild {
		rep, err := svc.Rebuild(ctx)
		if err != nil {
			return err
		}
		fmt.Printf("rebuilt %s from %d events (+%d caught up) in %s; previous index %q dropped\n",
			rep.Index, rep.Events, rep.CaughtUp, rep.Took.Round(time.Millisecond), rep.Previous)
		return nil
	}

	ready := ops.NewReadiness(2 * time.Second)
	ready.Add("kafka", kafka.Check(cfg.KafkaBrokers))
	ready.Add("index", func(ctx context.Context) error { return svc.Index.Refresh(ctx) })
	metrics, err := ops.NewHTTPMetrics(tel.Registry)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	ops.Mount(mux, tel.Registry, ready)
	mux.Handle("/", metrics.Wrap("search", svc.Handler))
	srv := &http.Server{Addr: cfg.HTTPAddr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	logger.Info("search listening", "addr", cfg.HTTPAddr, "backend", cfg.IndexBackend)
	err = lifecycle.Run(ctx, logger, cfg.ShutdownTimeout,
		lifecycle.HTTPServer("http", srv, cfg.ShutdownTimeout),
		lifecycle.Func("projection", svc.RunConsumer))
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}
