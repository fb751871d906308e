package config

import (
	"errors"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"time"
)

// Base is the configuration every DizhTime process embeds:
//
//	type Config struct {
//		config.Base `yaml:",inline"`
//		Postgres string `yaml:"postgres_url" env:"POSTGRES_URL"`
//	}
//
// A process that declares its own Validate shadows Base.Validate and should call it.
type Base struct {
	Service string `yaml:"service" env:"SERVICE"`
	// LogLevel is debug, info, warn or error.
	LogLevel string `yaml:"log_level" env:"LOG_LEVEL"`
	// HTTPAddr serves both the API and the ops endpoints (/metrics, /healthz, /readyz).
	HTTPAddr string `yaml:"http_addr" env:"HTTP_ADDR"`
	// ShutdownTimeout bounds how long in-flight work may drain after SIGTERM.
	ShutdownTimeout time.Duration `yaml:"shutdown_timeout" env:"SHUTDOWN_TIMEOUT"`
	Telemetry       Telemetry     `yaml:"telemetry" envPrefix:"TELEMETRY_"`
}

// Telemetry configures traces and metrics export.
type Telemetry struct {
	// OTLPEndpoint is the base URL of an OTLP/HTTP collector, e.g.
	// http://otel-collector:4318 (/v1/traces and /v1/metrics are appended).
	// Empty turns export off: spans still get ids for the logs and the traceparent
	// sent on, but a trace this process starts is not recorded (nothing would read it).
	OTLPEndpoint string `yaml:"otlp_endpoint" env:"OTLP_ENDPOINT"`
	// OTLPTracesOnly sends only traces to OTLPEndpoint, no metrics: for a receiver that
	// takes traces alone, such as Jaeger (`make run`'s default), which answers
	// /v1/metrics with 404. Prometheus scrapes /metrics either way.
	OTLPTracesOnly bool `yaml:"otlp_traces_only" env:"OTLP_TRACES_ONLY"`
	// SampleRatio is the share of new traces recorded when they are exported, 0 to 1.
	// A sampled parent is always followed.
	SampleRatio float64 `yaml:"sample_ratio" env:"SAMPLE_RATIO"`
}

// DefaultBase returns defaults that run on a laptop.
func DefaultBase(service string) Base {
	return Base{
		Service:         service,
		LogLevel:        "info",
		HTTPAddr:        ":8080",
		ShutdownTimeout: 15 * time.Second,
		Telemetry:       Telemetry{SampleRatio: 1},
	}
}

// Level returns LogLevel as a slog.Level (info when it is not valid).
func (b Base) Level() slog.Level {
	var l slog.Level
	if err := l.UnmarshalText([]byte(b.LogLevel)); err != nil {
		return slog.LevelInfo
	}
	return l
}

// Validate checks Base's own fields; Load validates Telemetry separately.
func (b Base) Validate() error {
	var errs []error
	if strings.TrimSpace(b.Service) == "" {
		errs = append(errs, Invalid("service", "must not be empty"))
	}
	switch strings.ToLower(b.LogLevel) {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, Invalid("log_level", "must be debug, info, warn or error, got %q", b.LogLevel))
	}
	if _, _, err := net.SplitHostPort(b.HTTPAddr); err != nil {
		errs = append(errs, Invalid("http_addr", "must be host:port, got %q", b.HTTPAddr))
	}
	if b.ShutdownTimeout <= 0 {
		errs = append(errs, Invalid("shutdown_timeout", "must be positive, got %s", b.ShutdownTimeout))
	}
	return errors.Join(errs...)
}

// Validate checks the endpoint URL and the sample ratio.
func (t Telemetry) Validate() error {
	var errs []error
	if t.OTLPEndpoint != "" {
		u, err := url.Parse(t.OTLPEndpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, Invalid("otlp_endpoint", "must be an http(s) URL such as http://otel-collector:4318, got %q", t.OTLPEndpoint))
		}
	}
	if t.SampleRatio < 0 || t.SampleRatio > 1 {
		errs = append(errs, Invalid("sample_ratio", "must be between 0 and 1, got %g", t.SampleRatio))
	}
	return errors.Join(errs...)
}
