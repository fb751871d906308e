package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Option adjusts the pool configuration before the pool is created.
type Option func(*pgxpool.Config)

// WithMaxConns caps the pool at n connections.
func WithMaxConns(n int32) Option {
	return func(c *pgxpool.Config) { c.MaxConns = n }
}

// WithConnectTimeout bounds each attempt to open a connection.
func WithConnectTimeout(d time.Duration) Option {
	return func(c *pgxpool.Config) { c.ConnConfig.ConnectTimeout = d }
}

const (
	defaultMaxConns       = 10
	defaultConnectTimeout = 5 * time.Second
)

// Open creates a pool for url (a postgres:// URL or key=value DSN) and pings the server
// so a bad address or password fails at start-up. Settings in url (pool_max_conns,
// connect_timeout, ...) win over the defaults; opts win over both.
func Open(ctx context.Context, url string, opts ...Option) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err) // pgx masks the password in it
	}
	if !strings.Contains(url, "pool_max_conns") {
		cfg.MaxConns = defaultMaxConns
	}
	if cfg.ConnConfig.ConnectTimeout == 0 { // pgx waits forever by default
		cfg.ConnConfig.ConnectTimeout = defaultConnectTimeout
	}
	cfg.MaxConnLifetime = 30 * time.Minute // let connections follow failovers and DNS changes
	cfg.MaxConnLifetimeJitter = 5 * time.Minute
	cfg.MaxConnIdleTime = 5 * time.Minute
	for _, opt := range opts {
		opt(cfg)
	}

	where := fmt.Sprintf("%s:%d/%s", cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres %s: %w", where, err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres %s: ping: %w", where, err)
	}
	return pool, nil
}

// Check returns a readiness check (see ops.Readiness) that pings the server through pool.
func Check(pool *pgxpool.Pool) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		if err := pool.Ping(ctx); err != nil {
			return fmt.Errorf("postgres ping: %w", err)
		}
		return nil
	}
}
