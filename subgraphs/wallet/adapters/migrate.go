package adapters

import (
	"context"
	"embed"
	"fmt"
	"io/fs"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dizhtime/dizhtime/events/consumer"
	"github.com/dizhtime/dizhtime/events/outbox"
	"github.com/dizhtime/dizhtime/platform/postgres"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrate creates or upgrades the ledger, the outbox and processed_events in the pool's
// schema, then, when it applied anything, ANALYZEs the wallet's tables: without
// statistics the planner guesses (the first minute after a migration ran 2-5x slower
// until autovacuum's analyse came round).
func Migrate(ctx context.Context, pool *pgxpool.Pool) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	before, err := appliedMigrations(ctx, pool)
	if err != nil {
		return err
	}
	if err := postgres.Migrate(ctx, pool, "wallet", sub); err != nil {
		return err
	}
	if err := outbox.Migrate(ctx, pool); err != nil {
		return err
	}
	if err := consumer.Migrate(ctx, pool); err != nil {
		return err
	}
	after, err := appliedMigrations(ctx, pool)
	if err != nil || after == before {
		return err
	}
	if _, err := pool.Exec(ctx, `ANALYZE accounts, transactions, postings, idempotency_keys, audit_log, order_endings, order_drivers, processed_events`); err != nil {
		return fmt.Errorf("analyze after migrating: %w", err)
	}
	return nil
}

// appliedMigrations counts the schema's applied migrations (0 before the first).
func appliedMigrations(ctx context.Context, pool *pgxpool.Pool) (int, error) {
	var exists bool
	if err := pool.QueryRow(ctx, `SELECT to_regclass('schema_migrations') IS NOT NULL`).Scan(&exists); err != nil || !exists {
		return 0, err
	}
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count applied migrations: %w", err)
	}
	return n, nil
}
