package config_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/platform/config"
)

type ordersConfig struct {
	config.Base `yaml:",inline"`
	Postgres    postgresConfig `yaml:"postgres" envPrefix:"ORDERS_DB_"` // not POSTGRES_: make test exports DIZHTIME_POSTGRES_URL
}

type postgresConfig struct {
	URL      string `yaml:"url" env:"URL"`
	MaxConns int    `yaml:"max_conns" env:"MAX_CONNS"`
}

func (p postgresConfig) Validate() error {
	if p.MaxConns < 1 {
		return config.Invalid("max_conns", "must be at least 1, got %d", p.MaxConns)
	}
	return nil
}

func defaults() ordersConfig {
	return ordersConfig{
		Base:     config.DefaultBase("orders"),
		Postgres: postgresConfig{URL: "postgres://localhost/orders", MaxConns: 10},
	}
}

func writeYAML(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "orders.yaml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoad_keepsTheDefaultsWithoutAFile(t *testing.T) {
	cfg := defaults()
	if err := config.Load("orders", "", &cfg); err != nil {
		t.Fatalf("Load: %v", err)
	}
	if cfg != defaults() {
		t.Fatalf("got %+v, want the defaults %+v", cfg, defaults())
	}
}

func TestLoad_overlaysTheYAMLFileOnTheDefaults(t *testing.T) {
	path := writeYAML(t, "log_level: debug\nshutdown_timeout: 30s\npostgres:\n  max_conns: 20\n")
	cfg := defaults()
	if err := config.Load("orders", path, &cfg); err != nil {
		t.Fatalf("Load: %v", err)
	}
	if cfg.LogLevel != "debug" || cfg.ShutdownTimeout != 30*time.Second || cfg.Postgres.MaxConns != 20 {
		t.Fatalf("YAML not applied: %+v", cfg)
	}
	if cfg.Postgres.URL != "postgres://localhost/orders" || cfg.HTTPAddr != ":8080" {
		t.Fatalf("defaults not kept for keys absent from the file: %+v", cfg)
	}
}

func TestLoad_namesAnUnknownKeyWithItsFileAndLine(t *testing.T) {
	path := writeYAML(t, "log_level: info\npostgres:\n  url: postgres://x\n  max_conn: 5\n")
	cfg := defaults()
	err := config.Load("orders", path, &cfg)
	if err == nil {
		t.Fatal("Load accepted an unknown key")
	}
	want := `config orders: ` + path + `:4: unknown key "max_conn"`
	if err.Error() != want {
		t.Fatalf("error = %q\nwant    %q", err, want)
	}
}

func TestLoad_letsTheEnvironmentOverrideTheYAMLFile(t *testing.T) {
	path := writeYAML(t, "http_addr: :9000\ntelemetry:\n  sample_ratio: 0.5\npostgres:\n  max_conns: 20\n")
	t.Setenv("DIZHTIME_HTTP_ADDR", "127.0.0.1:9100")
	t.Setenv("DIZHTIME_TELEMETRY_SAMPLE_RATIO", "0.25")
	t.Setenv("DIZHTIME_ORDERS_DB_MAX_CONNS", "7")
	cfg := defaults()
	if err := config.Load("orders", path, &cfg); err != nil {
		t.Fatalf("Load: %v", err)
	}
	if cfg.HTTPAddr != "127.0.0.1:9100" || cfg.Telemetry.SampleRatio != 0.25 || cfg.Postgres.MaxConns != 7 {
		t.Fatalf("environment did not win: %+v", cfg)
	}
}

func TestLoad_namesTheKeyOfEachInvalidValue(t *testing.T) {
	path := writeYAML(t, "log_level: loud\ntelemetry:\n  sample_ratio: 2\npostgres:\n  max_conns: 0\n")
	cfg := defaults()
	err := config.Load("orders", path, &cfg)
	if err == nil {
		t.Fatal("Load accepted invalid values")
	}
	for _, want := range []string{
		`config orders: log_level: must be debug, info, warn or error, got "loud"`,
		`config orders: telemetry.sample_ratio: must be between 0 and 1, got 2`,
		`config orders: postgres.max_conns: must be at least 1, got 0`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if n := strings.Count(err.Error(), "log_level"); n != 1 {
		t.Errorf("Base.Validate ran %d times, want once:\n%v", n, err)
	}
	var fe *config.FieldError
	if !errors.As(err, &fe) {
		t.Errorf("error does not unwrap to a *config.FieldError: %v", err)
	}
}

func TestLoad_validatesValuesComingFromTheEnvironment(t *testing.T) {
	t.Setenv("DIZHTIME_TELEMETRY_OTLP_ENDPOINT", "otel-collector:4318")
	cfg := defaults()
	err := config.Load("orders", "", &cfg)
	if err == nil || !strings.Contains(err.Error(), "config orders: telemetry.otlp_endpoint: must be an http(s) URL") {
		t.Fatalf("error = %v, want one naming telemetry.otlp_endpoint", err)
	}
}

func TestLoad_reportsAMissingFile(t *testing.T) {
	cfg := defaults()
	err := config.Load("orders", filepath.Join(t.TempDir(), "absent.yaml"), &cfg)
	if !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("error = %v, want one wrapping os.ErrNotExist", err)
	}
}
