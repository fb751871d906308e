package postgres

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/exaring/otelpgx"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
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
	// Every statement, batch, copy, prepare and pool wait becomes a client span under the
	// caller's span (none when the caller's context carries no recording span), so a trace
	// runs on from a request or a consumed event into its own writes. Arguments are never
	// recorded (they carry personal data and money).
	cfg.ConnConfig.Tracer = otelpgx.NewTracer()
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

// EnsureDatabase creates database name on the server baseURL points at, when it does not exist,
// and returns baseURL with its database replaced by name. It gives each subgraph a database of
// its own on one laptop server.
func EnsureDatabase(ctx context.Context, baseURL, name string) (string, error) {
	cfg, err := pgx.ParseConfig(baseURL)
	if err != nil {
		return "", fmt.Errorf("parse postgres url: %w", err)
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return "", fmt.Errorf("connect to %s: %w", cfg.Host, err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var exists bool
	if err := conn.QueryRow(ctx, `select exists(select 1 from pg_database where datname = $1)`, name).Scan(&exists); err != nil {
		return "", fmt.Errorf("look up database %s: %w", name, err)
	}
	if !exists {
		_, err := conn.Exec(ctx, "create database "+pgx.Identifier{name}.Sanitize())
		var pgErr *pgconn.PgError
		// Another starter may have created it in between (42P04 duplicate_database, or 23505
		// when both raced past the existence check inside the catalog): that is success too.
		if err != nil && !(errors.As(err, &pgErr) && (pgErr.Code == "42P04" || pgErr.Code == "23505")) {
			return "", fmt.Errorf("create database %s: %w", name, err)
		}
	}
	u, err := url.Parse(baseURL)
	if err != nil {
		return "", fmt.Errorf("parse postgres url: %w", err)
	}
	u.Path = "/" + name
	return u.String(), nil
}
