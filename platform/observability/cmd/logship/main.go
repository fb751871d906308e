// Command logship tails DizhTime's JSON log files and pushes them to Loki
// (platform/observability/logship): `service` and `level` labels, `trace_id` structured
// metadata. `make observe` runs it over `make run`'s logs (deploy/local/logship.sh).
//
//	logship -loki http://127.0.0.1:3100 '.dizhtime/dev/logs/*.log'
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/dizhtime/dizhtime/platform/observability/logship"
)

func main() {
	loki := flag.String("loki", "http://127.0.0.1:3100", "Loki's base URL")
	interval := flag.Duration("interval", 500*time.Millisecond, "how often the files are read")
	fromEnd := flag.Bool("from-end", false, "ship only lines written after start")
	listen := flag.String("listen", "", "address serving /ready (e.g. 127.0.0.1:9080); none when empty")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: logship [-loki URL] [-interval D] [-from-end] GLOB...")
		flag.PrintDefaults()
	}
	flag.Parse()
	logger := slog.New(slog.NewJSONHandler(os.Stderr, nil)).With("service", "logship")
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	s, err := logship.New(logship.Config{PushURL: strings.TrimSuffix(*loki, "/") + "/loki/api/v1/push",
		Globs: flag.Args(), Interval: *interval, FromEnd: *fromEnd, Logger: logger})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *listen != "" {
		mux := http.NewServeMux()
		mux.HandleFunc("GET /ready", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ready\n")) })
		srv := &http.Server{Addr: *listen, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
		go func() {
			if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
				logger.Error("listen", "addr", *listen, "error", err)
				stop()
			}
		}()
		defer srv.Close()
	}
	logger.Info("shipping", "files", flag.Args(), "loki", *loki)
	if err := s.Run(ctx); err != nil {
		logger.Error("last push failed", "error", err)
		stop()
		os.Exit(1)
	}
}
