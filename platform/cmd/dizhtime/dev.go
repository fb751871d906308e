package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/dizhtime/dizhtime/platform/config"
	"github.com/dizhtime/dizhtime/platform/devstack"
	"github.com/dizhtime/dizhtime/platform/lifecycle"
	"github.com/dizhtime/dizhtime/platform/logging"
	"github.com/dizhtime/dizhtime/platform/ops"
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
}

func defaultDevConfig() devConfig {
	base := config.DefaultBase("dizhtime-dev")
	base.HTTPAddr = "127.0.0.1:4090"
	return devConfig{
		Base:        base,
		DataDir:     ".dizhtime/dev",
		PostgresURL: "postgres://dizhtime:dizhtime@127.0.0.1:5432/dizhtime?sslmode=disable",
		RedisAddr:   "127.0.0.1:16379",
		KafkaPort:   19092,
		MongoAddr:   "127.0.0.1:37017",
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
	for key, addr := range map[string]string{"redis_addr": c.RedisAddr, "mongo_addr": c.MongoAddr} {
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

	ready := ops.NewReadiness(2 * time.Second)
	for name, check := range stack.Checks() {
		ready.Add(name, check)
	}
	mux := http.NewServeMux()
	ops.Mount(mux, tel.Registry, ready)
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", cfg.HTTPAddr, err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}

	printBanner(stdout, "http://"+ln.Addr().String(), stack.Endpoints)
	return lifecycle.Run(ctx, logger, cfg.ShutdownTimeout,
		lifecycle.HTTPServerOn("ops", srv, ln, cfg.ShutdownTimeout))
}

func printBanner(w io.Writer, opsURL string, e devstack.Endpoints) {
	fmt.Fprintf(w, `
DizhTime dev is up. Ctrl-C stops everything.

  ops        %[1]s/healthz  %[1]s/readyz  %[1]s/metrics
  postgres   %[2]s   (real server from deploy/local/services.sh)
  redis      %[3]s   (embedded miniredis)
  kafka      %[4]s   (embedded kfake)
  mongodb    %[5]s   (embedded FerretDB on SQLite)
  search     %[6]s   (embedded Bleve indexes)

The router and the subgraphs join this list as their issues land.
`, opsURL, e.PostgresURL, e.RedisAddr, strings.Join(e.KafkaBrokers, ","), e.MongoURI, e.SearchDir)
}
